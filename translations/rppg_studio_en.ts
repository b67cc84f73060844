<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>main</name>
    <message>
        <source>rPPG Studio — codec comparison</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rppg::AboutDialog</name>
    <message>
        <source>About rPPG Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h2&gt;rPPG Studio %1&lt;/h2&gt;&lt;p&gt;Heart rate from facial video: remote photoplethysmography with classical methods (POS, CHROM, GREEN) and the STVEN and rPPGNet networks, a synthetic face-video generator with ground truth, and a codec study.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not in this build (no neural methods)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;This build uses:&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Licence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;rPPG Studio is free software&lt;/b&gt;, distributed under the GNU General Public License, version 3 or (at your option) any later version (GPL-3.0-or-later). It links QCustomPlot, which is GPL-3.0-or-later, so the application as a whole is GPL-3.0-or-later. It comes with no warranty. The full licence text is in the file LICENSE.&lt;/p&gt;&lt;p&gt;Libraries and their licences:&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Qt 6: LGPL-3.0 (some tools GPL-3.0)&lt;/li&gt;&lt;li&gt;QCustomPlot: GPL-3.0-or-later&lt;/li&gt;&lt;li&gt;OpenCV: Apache-2.0&lt;/li&gt;&lt;li&gt;FFmpeg: LGPL-2.1-or-later; the Debian build with x264 and x265 is GPL-2.0-or-later&lt;/li&gt;&lt;li&gt;dlib: Boost Software License 1.0; the 68-point landmark model from libdlib-data is for use as its authors state (trained on iBUG 300-W)&lt;/li&gt;&lt;li&gt;libtorch (PyTorch): BSD-3-Clause&lt;/li&gt;&lt;/ul&gt;&lt;p&gt;Heart-rate values are estimates for research and education, not a medical device.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Face photo.&lt;/b&gt; The synthetic videos animate a portrait of NASA astronaut Eileen Collins (official NASA photograph), as distributed in scikit-image&apos;s sample data (skimage.data.astronaut). Works of the United States government are in the public domain in the United States. NASA&apos;s media guidelines ask that the photo not be used to imply endorsement; the pulse in the synthetic videos is simulated.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Methods.&lt;/b&gt; STVEN and rPPGNet follow Yu et al., “Remote Heart Rate Measurement from Highly Compressed Facial Videos: an End-to-end Deep Learning Solution with Video Enhancement”, ICCV 2019. POS: Wang et al. 2017; CHROM: de Haan and Jeanne 2013; GREEN: Verkruysse et al. 2008.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Libraries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Licences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Credits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy versions</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rppg::CameraSource</name>
    <message>
        <source>No camera was found. Connect a camera, or open a video file instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The camera stopped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The camera could not be started: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>video sink</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The camera &quot;%1&quot; was disconnected.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rppg::CodecComparisonView</name>
    <message>
        <source>Variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Codec</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target kb/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Achieved kb/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PSNR (dB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSIM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HR (bpm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reference HR (bpm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HR error (bpm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>|HR error| (bpm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window MAE (bpm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SNR (dB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>original</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CRF %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a video, codecs, bit rates and methods, then press Compare.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the video open in the main window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Videos (*.mp4 *.mkv *.avi *.mov *.webm);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Codecs and bit rates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>H.264 (x264)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>H.265 / HEVC (x265)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MPEG-4 Part 2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target bit rates, separated by commas (k = 1000 bit/s, M = 1000000 bit/s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bit rates:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Methods</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the HTML report, tables and figures that `rppg compare-codecs` writes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder for the report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame shown in every tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No comparison yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom on face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Magnification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Method for the waveforms, the captions and the worst variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Method:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pulse (normalised)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waveforms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>luma PSNR (dB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Picture quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the video open in the main window: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create a working folder in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a video to compare.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The video %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose at least one codec.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is not a bit rate between 10k and 200M (for example 250k or 1.5M).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give at least one bit rate (for example 250k, 500k).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose at least one method.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Re-encoding %1 with %n variant(s) and analysing every one…</source>
        <translation>
            <numerusform>Re-encoding %1 into %n variant and analysing it…</numerusform>
            <numerusform>Re-encoding %1 into %n variants and analysing every one…</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>encoding %p%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>analysing %p%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparison cancelled; no files were kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The comparison failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Compared %n variant(s) in %1 s.</source>
        <translation>
            <numerusform>Compared %n variant in %1 s.</numerusform>
            <numerusform>Compared %n variants in %1 s.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reference: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source: %1×%2, %3 fps, %4 frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Original</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STVEN-enhanced worst variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no HR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HR %1 bpm (error %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PSNR %1 dB, SSIM %2 (mean %3 dB, %4)
%5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frame not available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame %1 / %2 (%3 s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (SSIM %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STVEN-enhanced %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No STVEN-enhanced frame: no method that enhances frames is registered (this build has no neural methods).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enhancing the worst variant with STVEN…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No STVEN-enhanced frame: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to export yet: run a comparison first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the report to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report written: &lt;a href=&quot;%1&quot;&gt;%2&lt;/a&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The report could not be written: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag to pan, wheel to zoom, Ctrl+click to show that frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analysis: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK windows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, frame %2 (face crop, %3×%4 px)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rppg::MainWindow</name>
    <message>
        <source>rPPG Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pulse (a.u.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analysing %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a video (File → Open, or drop it here), try Help → Open sample, or start a camera.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No video. Open a file, drop one here, or start a camera.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STVEN-enhanced frames appear here when an STVEN method is active.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The face crop with its skin region (or rPPGNet&apos;s skin and attention maps) appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>good quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>low quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>heart rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>heart rate (bpm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enhanced (STVEN)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skin / attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heart rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pulse waveform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heart-rate trend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Controls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>beats per minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signal collected towards the first full analysis window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open video…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Videos (*.mp4 *.mkv *.avi *.mov *.webm *.m4v *.mpg *.mpeg *.wmv *.flv);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Real time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Playback:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Length of the analysis window behind each heart-rate estimate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> Hz</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pulse band: %1 to %2 bpm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where neural methods run; classical methods always use the CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Method:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Band from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Band to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overlay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show skin / attention overlay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skin map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rPPGNet&apos;s maps; classical methods show their skin mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opacity:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Map:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open video…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start &amp;camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Stop source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signal and heart rate as &amp;CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plots as &amp;PNG…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export plots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plots as P&amp;DF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Snapshot of the window…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save snapshot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Playback</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Real time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;As fast as possible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Compare codecs…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Codec comparison</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This build has no codec comparison view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About rPPG Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seek</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%p% analysed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much of the file has been analysed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames analysed per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stale frames dropped because the analysis fell behind the source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — rPPG Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2×%3, %4 fps, %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bundled sample video was not found.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live from %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>live video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No camera found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1×%2 at %3 fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The analysis could not use this setting: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No face in view.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention (rPPGNet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skin map (rPPGNet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skin mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warming up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Low quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Good signal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 s of signal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>signal-to-noise %1 dB · %2 s window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Face the camera, in even light.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n dropped</source>
        <translation>
            <numerusform>%n dropped</numerusform>
            <numerusform>%n dropped</numerusform>
        </translation>
    </message>
    <message>
        <source>device: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>method: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> live </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>– fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to export yet: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rPPG Studio plots: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Record session to CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the pulse and heart rate to a CSV file while the analysis runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording stopped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot record: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Recording to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording the session to %1 (saved every second).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The recording could not be completed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Recorded %n sample(s) to %1.</source>
        <translation>
            <numerusform>Recorded %n sample to %1.</numerusform>
            <numerusform>Recorded %n samples to %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>The settings file could not be read safely; it was moved to %1 and the defaults are used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The remembered method “%1” is not available here; using %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA device %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language set to %1: it applies when rPPG Studio next starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording to %1. An interrupted earlier recording to that file was kept as %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load &amp;reference…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load reference heart rate or PPG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reference files (*.csv *.txt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reference: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reference %1 bpm, error %2 bpm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean absolute error %1 bpm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pulse method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot use %1 as the reference: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The remembered compared methods “%1” are not available here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other methods run beside the main one on the same frames: their heart rates in the readout and their curves in the trend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 bpm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 dB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MAE %1 bpm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>heart rate (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Breathing rate from the pulse: breathing changes the time between beats and their strength. Shown when both agree, over the last %1 s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>breathing %1 per minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>breathing: uncertain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lag
%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 analysed to the end; no estimate was good enough for a typical rate.</source>
        <translation>%1 analysed to the end; no estimate was good enough for a typical rate.</translation>
    </message>
    <message numerus="yes">
        <source>%1 analysed to the end: typical %2 bpm (median of %n good estimate(s), %3–%4 bpm).</source>
        <translation>
            <numerusform>%1 analysed to the end: typical %2 bpm (%n good estimate, %3–%4 bpm).</numerusform>
            <numerusform>%1 analysed to the end: typical %2 bpm (median of %n good estimates, %3–%4 bpm).</numerusform>
        </translation>
    </message>
    <message>
        <source>Low quality: head motion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Low quality: inconsistent</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 analysed to the end: only %n of %2 estimate(s) good, no typical rate to trust (no pulse, or too much noise, compression or motion).</source>
        <translation>
            <numerusform>%1 analysed to the end: only %n of %2 estimates good, no typical rate to trust (no pulse, or too much noise, compression or motion).</numerusform>
            <numerusform>%1 analysed to the end: only %n of %2 estimates good, no typical rate to trust (no pulse, or too much noise, compression or motion).</numerusform>
        </translation>
    </message>
    <message>
        <source>Heart-rate variability over the last %1 s, from the beats: SDNN (spread of the intervals) and RMSSD (beat-to-beat change). Shown when the beats are clean and alike; compression and motion move them and inflate both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HRV: SDNN %1 ms, RMSSD %2 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HRV: uncertain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Low quality: unconfirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>signal-to-noise %1 dB · %2 s window · octave-corrected from %3 bpm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Low quality: frozen picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check networks against POS and GREEN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A network&apos;s window counts as good only when POS or GREEN on the same skin finds the same rate, and a network that reads twice or half that rate is moved to it. Off: the network&apos;s own reading alone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STVEN output, %1×%2 px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check classical methods too</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A classical method&apos;s window counts as good only when the other of POS and GREEN finds the same rate (and an octave it finds is taken). Fewer wrong readings pass on compressed video; a right one whose witness is wrong is rated low.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
