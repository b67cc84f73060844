# Renders the varied synthetic recordings the shipped CPU weights were trained on (see resources/models/*.md):
# python3 make_synth_training_set.py path/to/rppg OUT_DIR COUNT [FIRST]  (then: rppg prepare OUT_DIR --out CACHE --stride 16)
import random, subprocess, sys, os
rppg = sys.argv[1]; out = sys.argv[2]; n = int(sys.argv[3]); start = int(sys.argv[4]) if len(sys.argv) > 4 else 0
rng = random.Random(20261125)
params = []
for i in range(64):
    params.append(dict(hr=rng.uniform(48, 140), skin=rng.randint(1, 6), motion=rng.choice(['none', 'mild', 'mild', 'strong']),
                       ill=rng.choice([0, 0.03, 0.06, 0.1]), flick=rng.choice([0, 0, 0, 0.02]), noise=rng.uniform(0.5, 3.0),
                       fs=rng.uniform(0.8, 1.25), amp=rng.uniform(0.005, 0.012), sdnn=rng.uniform(15, 70), seed=1000 + i))
for i in range(start, start + n):
    p = params[i]
    stem = os.path.join(out, 's%02d' % i)
    cmd = [rppg, 'synth', stem + '.mkv', '--codec', 'ffv1', '--size', '320x240', '--duration', '20',
           '--hr', '%.1f' % p['hr'], '--skin', str(p['skin']), '--motion', p['motion'], '--illumination', str(p['ill']),
           '--noise', '%.2f' % p['noise'], '--face-scale', '%.2f' % p['fs'], '--amplitude', '%.4f' % p['amp'],
           '--sdnn', '%.0f' % p['sdnn'], '--seed', str(p['seed']),
           '--variant', stem + '_l1.mp4:x264:400k', '--variant', stem + '_l2.mp4:x264:150k', '--variant', stem + '_l3.mp4:x264:60k']
    if p['flick'] > 0:
        cmd += ['--flicker', '%g@10' % p['flick']]
    r = subprocess.run(cmd, capture_output=True, text=True)
    print(i, r.returncode, (r.stdout.strip().splitlines() or [''])[-1], r.stderr.strip()[-200:], flush=True)
