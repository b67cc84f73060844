# Unpacks what pack_cache.py wrote into a clip cache (with OpenCV's bundled FFmpeg) and checks the
# SHA-256 sums of the decoded level files:  python3 unpack_cache.py PACKED OUT
import hashlib, lzma, os, shutil, sys
import cv2

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for name in ('index.txt', 'segments.csv', 'clips.csv', 'ppg.bin'):
    shutil.copy(os.path.join(src, name), os.path.join(out, name))
open(os.path.join(out, 'masks.bin'), 'wb').write(lzma.decompress(open(os.path.join(src, 'masks.bin.xz'), 'rb').read()))
ok = True
for line in open(os.path.join(src, 'SHA256SUMS')):
    digest, name = line.split()
    cap = cv2.VideoCapture(os.path.join(src, name.replace('.bin', '.mkv')))
    h = hashlib.sha256()
    with open(os.path.join(out, name), 'wb') as f:
        while True:
            good, frame = cap.read()
            if not good:
                break
            data = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB).tobytes()
            h.update(data)
            f.write(data)
    same = h.hexdigest() == digest
    ok &= same
    print(name, 'exact' if same else 'DIFFERS', os.path.getsize(os.path.join(out, name)), 'bytes')
sys.exit(0 if ok else 1)
