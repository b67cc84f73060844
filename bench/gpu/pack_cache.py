# Packs a small training subset of a clip cache for a GPU machine that has no FFmpeg binary:
#   python3 pack_cache.py CACHE OUT RECORDINGS FRAMES_PER_RECORDING STRIDE [LEVELS]
# Takes the first FRAMES frames of the first RECORDINGS segments (and only the levels named in the
# comma list LEVELS, e.g. original,x265@250k; default all; the original is always kept), writes index.txt, segments.csv,
# clips.csv (a window every STRIDE frames, HR from the nearest original clip), ppg.bin, masks.bin.xz
# and each level's frames as a lossless x264 RGB video (frames_l<k>.mkv), plus SHA-256 sums of the
# raw level files so the unpacking side (unpack_cache.py) can prove the round trip exact.
import hashlib, lzma, os, subprocess, sys

src, out, nrec, nfr, stride = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
index = dict(l.rstrip('\n').split('=', 1) for l in open(os.path.join(src, 'index.txt')) if '=' in l)
S, M, T = int(index['crop_size']), int(index['mask_size']), int(index['clip_frames'])
levels = int(index['levels'])
names = [index.get('level.%d.name' % k, str(k)) for k in range(levels)]
wanted = sys.argv[6].split(',') if len(sys.argv) > 6 else names
unknown = [w for w in wanted if w not in names]
if unknown:
    sys.exit('unknown levels %s (the cache has %s)' % (','.join(unknown), ','.join(names)))
keep = [0] + [k for k in range(1, levels) if names[k] in wanted]   # old indices, new order
segs = [l.rstrip('\n').split(',') for l in open(os.path.join(src, 'segments.csv'))][1:]
clips = [l.rstrip('\n').split(',') for l in open(os.path.join(src, 'clips.csv'))][1:]
os.makedirs(out, exist_ok=True)
seg_rows, clip_rows, pieces = [], [], []
total = 0
for s in segs[:nrec]:
    sid, ds, rec, subj, fps, frames, first, start_s, off, lv = s
    n = min(nfr, int(frames))
    if n < T:
        continue
    new = len(seg_rows)
    seg_rows.append([str(new), ds, rec, subj, fps, str(n), first, start_s, str(total),
                     ';'.join('%d:%d' % (k, total) for k in range(len(keep)))])
    pieces.append((int(off), n, {int(a): int(b) for a, b in (x.split(':') for x in lv.split(';'))}))
    own = [(int(c[2]), float(c[3])) for c in clips if c[1] == sid]
    for st in range(0, n - T + 1, stride):
        hr = min(own, key=lambda c: abs(c[0] - st))[1]
        clip_rows.append([str(len(clip_rows)), str(new), str(st), '%.3f' % hr])
    total += n

def copy_frames(name, unit, offs_of):
    data = bytearray()
    with open(os.path.join(src, name), 'rb') as f:
        for off, n, lv in pieces:
            f.seek(offs_of(off, lv) * unit)
            data += f.read(n * unit)
    return bytes(data)

ppg = copy_frames('ppg.bin', 4, lambda off, lv: off)
open(os.path.join(out, 'ppg.bin'), 'wb').write(ppg)
masks = copy_frames('masks.bin', M * M, lambda off, lv: off)
open(os.path.join(out, 'masks.bin.xz'), 'wb').write(lzma.compress(masks, preset=9))
sums = []
for k, old in enumerate(keep):
    raw = copy_frames('frames_l%d.bin' % old, S * S * 3, lambda off, lv: lv[old])
    sums.append('%s  frames_l%d.bin' % (hashlib.sha256(raw).hexdigest(), k))
    subprocess.run(['ffmpeg', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '%dx%d' % (S, S), '-r', '30',
                    '-i', '-', '-c:v', 'libx264rgb', '-qp', '0', '-preset', 'slower', os.path.join(out, 'frames_l%d.mkv' % k)],
                   input=raw, check=True)
open(os.path.join(out, 'SHA256SUMS'), 'w').write('\n'.join(sums) + '\n')
with open(os.path.join(out, 'segments.csv'), 'w') as f:
    f.write('segment,dataset,recording,subject,fps,frames,first_frame,start_s,offset,levels\n')
    f.writelines(','.join(r) + '\n' for r in seg_rows)
with open(os.path.join(out, 'clips.csv'), 'w') as f:
    f.write('clip,segment,start,hr_bpm\n')
    f.writelines(','.join(r) + '\n' for r in clip_rows)
index.update(frames=str(total), segments=str(len(seg_rows)), clips=str(len(clip_rows)), recordings=str(len(seg_rows)),
             subjects=str(len(set(r[3] for r in seg_rows))), stride_frames=str(stride),
             sources=index.get('sources', '') + ' (subset: %d recordings x %d frames)' % (len(seg_rows), nfr))
for k in range(levels):
    index.pop('level.%d.frames' % k, None)
    index.pop('level.%d.name' % k, None)
index['levels'] = str(len(keep))
for k, old in enumerate(keep):
    index['level.%d.name' % k] = names[old]
    index['level.%d.frames' % k] = str(total)
with open(os.path.join(out, 'index.txt'), 'w') as f:
    f.writelines('%s=%s\n' % kv for kv in index.items())
print('%d recordings, %d frames, %d clips' % (len(seg_rows), total, len(clip_rows)))
