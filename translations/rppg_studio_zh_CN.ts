<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>main</name>
    <message>
        <source>rPPG Studio — codec comparison</source>
        <translation>rPPG Studio — 编解码器比较</translation>
    </message>
</context>
<context>
    <name>rppg::AboutDialog</name>
    <message>
        <source>About rPPG Studio</source>
        <translation>关于 rPPG Studio</translation>
    </message>
    <message>
        <source>&lt;h2&gt;rPPG Studio %1&lt;/h2&gt;&lt;p&gt;Heart rate from facial video: remote photoplethysmography with classical methods (POS, CHROM, GREEN) and the STVEN and rPPGNet networks, a synthetic face-video generator with ground truth, and a codec study.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;rPPG Studio %1&lt;/h2&gt;&lt;p&gt;从人脸视频测量心率：基于经典方法（POS、CHROM、GREEN）以及 STVEN 和 rPPGNet 网络的远程光电容积描记（rPPG），附带带有真值的合成人脸视频生成器和编解码器研究。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>not in this build (no neural methods)</source>
        <translation>本构建未包含（无神经网络方法）</translation>
    </message>
    <message>
        <source>&lt;p&gt;This build uses:&lt;/p&gt;</source>
        <translation>&lt;p&gt;本构建使用：&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>库</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;rPPG Studio is free software&lt;/b&gt;, distributed under the GNU General Public License, version 3 or (at your option) any later version (GPL-3.0-or-later). It links QCustomPlot, which is GPL-3.0-or-later, so the application as a whole is GPL-3.0-or-later. It comes with no warranty. The full licence text is in the file LICENSE.&lt;/p&gt;&lt;p&gt;Libraries and their licences:&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Qt 6: LGPL-3.0 (some tools GPL-3.0)&lt;/li&gt;&lt;li&gt;QCustomPlot: GPL-3.0-or-later&lt;/li&gt;&lt;li&gt;OpenCV: Apache-2.0&lt;/li&gt;&lt;li&gt;FFmpeg: LGPL-2.1-or-later; the Debian build with x264 and x265 is GPL-2.0-or-later&lt;/li&gt;&lt;li&gt;dlib: Boost Software License 1.0; the 68-point landmark model from libdlib-data is for use as its authors state (trained on iBUG 300-W)&lt;/li&gt;&lt;li&gt;libtorch (PyTorch): BSD-3-Clause&lt;/li&gt;&lt;/ul&gt;&lt;p&gt;Heart-rate values are estimates for research and education, not a medical device.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;rPPG Studio 是自由软件&lt;/b&gt;，依据 GNU 通用公共许可证第 3 版或（由您选择）任何更高版本（GPL-3.0-or-later）发布。它链接了采用 GPL-3.0-or-later 的 QCustomPlot，因此整个应用程序采用 GPL-3.0-or-later。本软件不提供任何担保。许可证全文见 LICENSE 文件。&lt;/p&gt;&lt;p&gt;所用库及其许可证：&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Qt 6：LGPL-3.0（部分工具为 GPL-3.0）&lt;/li&gt;&lt;li&gt;QCustomPlot：GPL-3.0-or-later&lt;/li&gt;&lt;li&gt;OpenCV：Apache-2.0&lt;/li&gt;&lt;li&gt;FFmpeg：LGPL-2.1-or-later；含 x264 和 x265 的 Debian 构建为 GPL-2.0-or-later&lt;/li&gt;&lt;li&gt;dlib：Boost 软件许可证 1.0；libdlib-data 中的 68 点特征点模型按其作者的说明使用（在 iBUG 300-W 上训练）&lt;/li&gt;&lt;li&gt;libtorch（PyTorch）：BSD-3-Clause&lt;/li&gt;&lt;/ul&gt;&lt;p&gt;心率数值仅为用于研究和教学的估计值，本软件不是医疗器械。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Face photo.&lt;/b&gt; The synthetic videos animate a portrait of NASA astronaut Eileen Collins (official NASA photograph), as distributed in scikit-image&apos;s sample data (skimage.data.astronaut). Works of the United States government are in the public domain in the United States. NASA&apos;s media guidelines ask that the photo not be used to imply endorsement; the pulse in the synthetic videos is simulated.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Methods.&lt;/b&gt; STVEN and rPPGNet follow Yu et al., “Remote Heart Rate Measurement from Highly Compressed Facial Videos: an End-to-end Deep Learning Solution with Video Enhancement”, ICCV 2019. POS: Wang et al. 2017; CHROM: de Haan and Jeanne 2013; GREEN: Verkruysse et al. 2008.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;人脸照片。&lt;/b&gt;合成视频使用的是 NASA 宇航员艾琳·柯林斯（Eileen Collins）的肖像（NASA 官方照片），取自 scikit-image 的示例数据（skimage.data.astronaut）。美国政府作品在美国属于公有领域。NASA 的媒体使用指南要求不得借此照片暗示其认可；合成视频中的脉搏是模拟的。&lt;/p&gt;&lt;p&gt;&lt;b&gt;方法。&lt;/b&gt;STVEN 和 rPPGNet 依据 Yu 等人的论文《Remote Heart Rate Measurement from Highly Compressed Facial Videos: an End-to-end Deep Learning Solution with Video Enhancement》（ICCV 2019）。POS：Wang 等，2017；CHROM：de Haan 与 Jeanne，2013；GREEN：Verkruysse 等，2008。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Libraries</source>
        <translation>库</translation>
    </message>
    <message>
        <source>Licences</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Credits</source>
        <translation>致谢</translation>
    </message>
    <message>
        <source>Copy versions</source>
        <translation>复制版本信息</translation>
    </message>
</context>
<context>
    <name>rppg::CameraSource</name>
    <message>
        <source>No camera was found. Connect a camera, or open a video file instead.</source>
        <translation>未找到摄像头。请连接摄像头，或改为打开视频文件。</translation>
    </message>
    <message>
        <source>The camera stopped: %1</source>
        <translation>摄像头已停止：%1</translation>
    </message>
    <message>
        <source>The camera could not be started: %1</source>
        <translation>无法启动摄像头：%1</translation>
    </message>
    <message>
        <source>video sink</source>
        <translation>视频接收器</translation>
    </message>
    <message>
        <source>The camera &quot;%1&quot; was disconnected.</source>
        <translation>摄像头“%1”已断开。</translation>
    </message>
</context>
<context>
    <name>rppg::CodecComparisonView</name>
    <message>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>Codec</source>
        <translation>编解码器</translation>
    </message>
    <message>
        <source>Target kb/s</source>
        <translation>目标 kb/s</translation>
    </message>
    <message>
        <source>Achieved kb/s</source>
        <translation>实际 kb/s</translation>
    </message>
    <message>
        <source>PSNR (dB)</source>
        <translation>PSNR (dB)</translation>
    </message>
    <message>
        <source>SSIM</source>
        <translation>SSIM</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>HR (bpm)</source>
        <translation>心率 (bpm)</translation>
    </message>
    <message>
        <source>Reference HR (bpm)</source>
        <translation>参考心率 (bpm)</translation>
    </message>
    <message>
        <source>HR error (bpm)</source>
        <translation>心率误差 (bpm)</translation>
    </message>
    <message>
        <source>|HR error| (bpm)</source>
        <translation>|心率误差| (bpm)</translation>
    </message>
    <message>
        <source>Window MAE (bpm)</source>
        <translation>窗口 MAE (bpm)</translation>
    </message>
    <message>
        <source>SNR (dB)</source>
        <translation>信噪比 (dB)</translation>
    </message>
    <message>
        <source>original</source>
        <translation>原始</translation>
    </message>
    <message>
        <source>CRF %1</source>
        <translation>CRF %1</translation>
    </message>
    <message>
        <source>Choose a video, codecs, bit rates and methods, then press Compare.</source>
        <translation>选择视频、编解码器、码率和方法，然后点击“比较”。</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Video file</source>
        <translation>视频文件</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Use the video open in the main window</source>
        <translation>使用主窗口中打开的视频</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Choose another video</source>
        <translation>选择其他视频</translation>
    </message>
    <message>
        <source>Choose a video</source>
        <translation>选择视频</translation>
    </message>
    <message>
        <source>Videos (*.mp4 *.mkv *.avi *.mov *.webm);;All files (*)</source>
        <translation>视频 (*.mp4 *.mkv *.avi *.mov *.webm);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Codecs and bit rates</source>
        <translation>编解码器和码率</translation>
    </message>
    <message>
        <source>H.264 (x264)</source>
        <translation>H.264 (x264)</translation>
    </message>
    <message>
        <source>H.265 / HEVC (x265)</source>
        <translation>H.265 / HEVC (x265)</translation>
    </message>
    <message>
        <source>MPEG-4 Part 2</source>
        <translation>MPEG-4 第 2 部分</translation>
    </message>
    <message>
        <source>Target bit rates, separated by commas (k = 1000 bit/s, M = 1000000 bit/s)</source>
        <translation>目标码率，以逗号分隔（k = 1000 bit/s，M = 1000000 bit/s）</translation>
    </message>
    <message>
        <source>Bit rates:</source>
        <translation>码率：</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export report…</source>
        <translation>导出报告…</translation>
    </message>
    <message>
        <source>Write the HTML report, tables and figures that `rppg compare-codecs` writes</source>
        <translation>写出与 `rppg compare-codecs` 相同的 HTML 报告、表格和图表</translation>
    </message>
    <message>
        <source>Folder for the report</source>
        <translation>报告保存文件夹</translation>
    </message>
    <message>
        <source>Frame shown in every tile</source>
        <translation>所有图块中显示的帧</translation>
    </message>
    <message>
        <source>No comparison yet</source>
        <translation>尚未比较</translation>
    </message>
    <message>
        <source>Zoom on face</source>
        <translation>放大人脸</translation>
    </message>
    <message>
        <source>Magnification</source>
        <translation>放大倍数</translation>
    </message>
    <message>
        <source>Method for the waveforms, the captions and the worst variant</source>
        <translation>用于波形、说明文字和最差变体的方法</translation>
    </message>
    <message>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <source>time (s)</source>
        <translation>时间 (秒)</translation>
    </message>
    <message>
        <source>pulse (normalised)</source>
        <translation>脉搏（归一化）</translation>
    </message>
    <message>
        <source>Waveforms</source>
        <translation>波形</translation>
    </message>
    <message>
        <source>frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <source>luma PSNR (dB)</source>
        <translation>亮度 PSNR (dB)</translation>
    </message>
    <message>
        <source>Picture quality</source>
        <translation>画质</translation>
    </message>
    <message>
        <source>Use the video open in the main window: %1</source>
        <translation>使用主窗口中打开的视频：%1</translation>
    </message>
    <message>
        <source>Cannot create a working folder in %1.</source>
        <translation>无法在 %1 中创建工作文件夹。</translation>
    </message>
    <message>
        <source>Choose a video to compare.</source>
        <translation>请选择要比较的视频。</translation>
    </message>
    <message>
        <source>The video %1 does not exist.</source>
        <translation>视频 %1 不存在。</translation>
    </message>
    <message>
        <source>Choose at least one codec.</source>
        <translation>请至少选择一种编解码器。</translation>
    </message>
    <message>
        <source>“%1” is not a bit rate between 10k and 200M (for example 250k or 1.5M).</source>
        <translation>“%1”不是介于 10k 与 200M 之间的码率（例如 250k 或 1.5M）。</translation>
    </message>
    <message>
        <source>Give at least one bit rate (for example 250k, 500k).</source>
        <translation>请至少给出一个码率（例如 250k, 500k）。</translation>
    </message>
    <message>
        <source>Choose at least one method.</source>
        <translation>请至少选择一种方法。</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message numerus="yes">
        <source>Re-encoding %1 with %n variant(s) and analysing every one…</source>
        <translation>
            <numerusform>正在将 %1 重新编码为 %n 个变体并逐一分析…</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>encoding %p%</source>
        <translation>编码中 %p%</translation>
    </message>
    <message>
        <source>analysing %p%</source>
        <translation>分析中 %p%</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Comparison cancelled; no files were kept.</source>
        <translation>比较已取消；未保留任何文件。</translation>
    </message>
    <message>
        <source>The comparison failed: %1</source>
        <translation>比较失败：%1</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message numerus="yes">
        <source>Compared %n variant(s) in %1 s.</source>
        <translation>
            <numerusform>已在 %1 秒内比较了 %n 个变体。</numerusform>
        </translation>
    </message>
    <message>
        <source>Reference: %1</source>
        <translation>参考：%1</translation>
    </message>
    <message>
        <source>Source: %1×%2, %3 fps, %4 frames</source>
        <translation>源视频：%1×%2，%3 fps，%4 帧</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>原始视频</translation>
    </message>
    <message>
        <source>STVEN-enhanced worst variant</source>
        <translation>经 STVEN 增强的最差变体</translation>
    </message>
    <message>
        <source>no HR</source>
        <translation>无心率</translation>
    </message>
    <message>
        <source>HR %1 bpm (error %2)</source>
        <translation>心率 %1 bpm（误差 %2）</translation>
    </message>
    <message>
        <source>PSNR %1 dB, SSIM %2 (mean %3 dB, %4)
%5</source>
        <translation>PSNR %1 dB，SSIM %2（平均 %3 dB，%4）
%5</translation>
    </message>
    <message>
        <source>frame not available</source>
        <translation>该帧不可用</translation>
    </message>
    <message>
        <source>Frame %1 / %2 (%3 s)</source>
        <translation>第 %1 / %2 帧（%3 秒）</translation>
    </message>
    <message>
        <source>%1 (SSIM %2)</source>
        <translation>%1（SSIM %2）</translation>
    </message>
    <message>
        <source>STVEN-enhanced %1</source>
        <translation>经 STVEN 增强的 %1</translation>
    </message>
    <message>
        <source>No STVEN-enhanced frame: no method that enhances frames is registered (this build has no neural methods).</source>
        <translation>没有 STVEN 增强帧：未注册可增强帧的方法（本构建不含神经网络方法）。</translation>
    </message>
    <message>
        <source>Enhancing the worst variant with STVEN…</source>
        <translation>正在用 STVEN 增强最差变体…</translation>
    </message>
    <message>
        <source>No STVEN-enhanced frame: %1</source>
        <translation>没有 STVEN 增强帧：%1</translation>
    </message>
    <message>
        <source>Nothing to export yet: run a comparison first.</source>
        <translation>尚无可导出的内容：请先运行比较。</translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation>已有导出正在进行。</translation>
    </message>
    <message>
        <source>Writing the report to %1…</source>
        <translation>正在将报告写入 %1…</translation>
    </message>
    <message>
        <source>Report written: &lt;a href=&quot;%1&quot;&gt;%2&lt;/a&gt;</source>
        <translation>报告已写入：&lt;a href=&quot;%1&quot;&gt;%2&lt;/a&gt;</translation>
    </message>
    <message>
        <source>The report could not be written: %1</source>
        <translation>无法写入报告：%1</translation>
    </message>
    <message>
        <source>Drag to pan, wheel to zoom, Ctrl+click to show that frame</source>
        <translation>拖动以平移，滚轮缩放，按住 Ctrl 单击以显示该帧</translation>
    </message>
    <message>
        <source>Analysis: %1</source>
        <translation>分析设置：%1</translation>
    </message>
    <message>
        <source>OK windows</source>
        <translation>合格窗口</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1, frame %2 (face crop, %3×%4 px)</source>
        <translation>%1，第 %2 帧（人脸裁剪，%3×%4 像素）</translation>
    </message>
</context>
<context>
    <name>rppg::MainWindow</name>
    <message>
        <source>rPPG Studio</source>
        <translation>rPPG Studio</translation>
    </message>
    <message>
        <source>time (s)</source>
        <translation>时间 (秒)</translation>
    </message>
    <message>
        <source>pulse (a.u.)</source>
        <translation>脉搏（任意单位）</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open video</source>
        <translation>打开视频</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Analysing %1…</source>
        <translation>正在分析 %1…</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Start camera</source>
        <translation>启动摄像头</translation>
    </message>
    <message>
        <source>Open a video (File → Open, or drop it here), try Help → Open sample, or start a camera.</source>
        <translation>打开一个视频（文件 → 打开，或拖放到此处），试试 帮助 → 打开示例，或启动摄像头。</translation>
    </message>
    <message>
        <source>No video. Open a file, drop one here, or start a camera.</source>
        <translation>没有视频。请打开文件、拖放文件到此处或启动摄像头。</translation>
    </message>
    <message>
        <source>STVEN-enhanced frames appear here when an STVEN method is active.</source>
        <translation>使用 STVEN 方法时，此处显示经 STVEN 增强的帧。</translation>
    </message>
    <message>
        <source>The face crop with its skin region (or rPPGNet&apos;s skin and attention maps) appears here.</source>
        <translation>此处显示人脸裁剪及其皮肤区域（或 rPPGNet 的皮肤图和注意力图）。</translation>
    </message>
    <message>
        <source>good quality</source>
        <translation>质量良好</translation>
    </message>
    <message>
        <source>low quality</source>
        <translation>质量较低</translation>
    </message>
    <message>
        <source>heart rate</source>
        <translation>心率</translation>
    </message>
    <message>
        <source>heart rate (bpm)</source>
        <translation>心率 (bpm)</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Enhanced (STVEN)</source>
        <translation>增强（STVEN）</translation>
    </message>
    <message>
        <source>Skin / attention</source>
        <translation>皮肤 / 注意力</translation>
    </message>
    <message>
        <source>Heart rate</source>
        <translation>心率</translation>
    </message>
    <message>
        <source>Pulse waveform</source>
        <translation>脉搏波形</translation>
    </message>
    <message>
        <source>Heart-rate trend</source>
        <translation>心率趋势</translation>
    </message>
    <message>
        <source>Controls</source>
        <translation>控制</translation>
    </message>
    <message>
        <source>beats per minute</source>
        <translation>每分钟心跳次数</translation>
    </message>
    <message>
        <source>Signal collected towards the first full analysis window</source>
        <translation>已采集的信号占第一个完整分析窗口的比例</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Open video…</source>
        <translation>打开视频…</translation>
    </message>
    <message>
        <source>Videos (*.mp4 *.mkv *.avi *.mov *.webm *.m4v *.mpg *.mpeg *.wmv *.flv);;All files (*)</source>
        <translation>视频 (*.mp4 *.mkv *.avi *.mov *.webm *.m4v *.mpg *.mpeg *.wmv *.flv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open sample</source>
        <translation>打开示例</translation>
    </message>
    <message>
        <source>Real time</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>尽快</translation>
    </message>
    <message>
        <source>Playback:</source>
        <translation>播放：</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>摄像头：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Length of the analysis window behind each heart-rate estimate</source>
        <translation>每个心率估计所用分析窗口的长度</translation>
    </message>
    <message>
        <source> Hz</source>
        <translation> Hz</translation>
    </message>
    <message>
        <source>Pulse band: %1 to %2 bpm</source>
        <translation>脉搏频带：%1 至 %2 bpm</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA</source>
        <translation>CUDA</translation>
    </message>
    <message>
        <source>Where neural methods run; classical methods always use the CPU</source>
        <translation>神经网络方法的运行设备；经典方法始终使用 CPU</translation>
    </message>
    <message>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <source>Window:</source>
        <translation>窗口：</translation>
    </message>
    <message>
        <source>Band from:</source>
        <translation>频带下限：</translation>
    </message>
    <message>
        <source>Band to:</source>
        <translation>频带上限：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Overlay</source>
        <translation>叠加层</translation>
    </message>
    <message>
        <source>Show skin / attention overlay</source>
        <translation>显示皮肤 / 注意力叠加层</translation>
    </message>
    <message>
        <source>Skin map</source>
        <translation>皮肤图</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>rPPGNet&apos;s maps; classical methods show their skin mask</source>
        <translation>rPPGNet 的图；经典方法显示其皮肤掩膜</translation>
    </message>
    <message>
        <source>Opacity:</source>
        <translation>不透明度：</translation>
    </message>
    <message>
        <source>Map:</source>
        <translation>图：</translation>
    </message>
    <message>
        <source>&amp;Open video…</source>
        <translation>打开视频(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Start &amp;camera</source>
        <translation>启动摄像头(&amp;C)</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>&amp;Stop source</source>
        <translation>停止来源(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>Signal and heart rate as &amp;CSV…</source>
        <translation>信号和心率导出为 &amp;CSV…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Plots as &amp;PNG…</source>
        <translation>图表导出为 &amp;PNG…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <source>Export plots</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Plots as P&amp;DF…</source>
        <translation>图表导出为 P&amp;DF…</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>&amp;Snapshot of the window…</source>
        <translation>窗口快照(&amp;S)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <source>Save snapshot</source>
        <translation>保存快照</translation>
    </message>
    <message>
        <source>&amp;Playback</source>
        <translation>播放(&amp;P)</translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation>播放 / 暂停</translation>
    </message>
    <message>
        <source>&amp;Real time</source>
        <translation>实时(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;As fast as possible</source>
        <translation>尽快(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Compare codecs…</source>
        <translation>比较编解码器(&amp;C)…</translation>
    </message>
    <message>
        <source>Codec comparison</source>
        <translation>编解码器比较</translation>
    </message>
    <message>
        <source>This build has no codec comparison view</source>
        <translation>本构建不含编解码器比较视图</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Open &amp;sample</source>
        <translation>打开示例(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;About rPPG Studio</source>
        <translation>关于 rPPG Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>播放控制</translation>
    </message>
    <message>
        <source>Seek</source>
        <translation>定位</translation>
    </message>
    <message>
        <source>%p% analysed</source>
        <translation>已分析 %p%</translation>
    </message>
    <message>
        <source>How much of the file has been analysed</source>
        <translation>文件已分析的比例</translation>
    </message>
    <message>
        <source>Frames analysed per second</source>
        <translation>每秒分析的帧数</translation>
    </message>
    <message>
        <source>Stale frames dropped because the analysis fell behind the source</source>
        <translation>因分析落后于来源而丢弃的过时帧</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>文件 %1 不存在。</translation>
    </message>
    <message>
        <source>%1 — rPPG Studio</source>
        <translation>%1 — rPPG Studio</translation>
    </message>
    <message>
        <source>%1: %2×%3, %4 fps, %5</source>
        <translation>%1：%2×%3，%4 fps，%5</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>The bundled sample video was not found.</source>
        <translation>找不到随附的示例视频。</translation>
    </message>
    <message>
        <source>Stop camera</source>
        <translation>停止摄像头</translation>
    </message>
    <message>
        <source>Live from %1.</source>
        <translation>来自 %1 的实时画面。</translation>
    </message>
    <message>
        <source>live video</source>
        <translation>实时视频</translation>
    </message>
    <message>
        <source>Camera stopped.</source>
        <translation>摄像头已停止。</translation>
    </message>
    <message>
        <source>No camera found</source>
        <translation>未找到摄像头</translation>
    </message>
    <message>
        <source>%1×%2 at %3 fps</source>
        <translation>%1×%2，%3 fps</translation>
    </message>
    <message>
        <source>The analysis could not use this setting: %1</source>
        <translation>分析无法使用此设置：%1</translation>
    </message>
    <message>
        <source>No face in view.</source>
        <translation>画面中没有人脸。</translation>
    </message>
    <message>
        <source>attention (rPPGNet)</source>
        <translation>注意力（rPPGNet）</translation>
    </message>
    <message>
        <source>skin map (rPPGNet)</source>
        <translation>皮肤图（rPPGNet）</translation>
    </message>
    <message>
        <source>skin mask</source>
        <translation>皮肤掩膜</translation>
    </message>
    <message>
        <source>Waiting for frames</source>
        <translation>等待帧</translation>
    </message>
    <message>
        <source>No face</source>
        <translation>无人脸</translation>
    </message>
    <message>
        <source>Warming up</source>
        <translation>预热中</translation>
    </message>
    <message>
        <source>Low quality</source>
        <translation>质量较低</translation>
    </message>
    <message>
        <source>Good signal</source>
        <translation>信号良好</translation>
    </message>
    <message>
        <source>%1 of %2 s of signal</source>
        <translation>已有 %1 / %2 秒信号</translation>
    </message>
    <message>
        <source>signal-to-noise %1 dB · %2 s window</source>
        <translation>信噪比 %1 dB · %2 秒窗口</translation>
    </message>
    <message>
        <source>Face the camera, in even light.</source>
        <translation>请在均匀光线下正对摄像头。</translation>
    </message>
    <message>
        <source>%1 fps</source>
        <translation>%1 fps</translation>
    </message>
    <message numerus="yes">
        <source>%n dropped</source>
        <translation>
            <numerusform>已丢弃 %n 帧</numerusform>
        </translation>
    </message>
    <message>
        <source>device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <source>method: %1</source>
        <translation>方法：%1</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source> live </source>
        <translation> 实时 </translation>
    </message>
    <message>
        <source>No source</source>
        <translation>无来源</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>– fps</source>
        <translation>– fps</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>Nothing to export yet: %1</source>
        <translation>尚无可导出的内容：%1</translation>
    </message>
    <message>
        <source>rPPG Studio plots: %1</source>
        <translation>rPPG Studio 图表：%1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Clear list</source>
        <translation>清除列表</translation>
    </message>
    <message>
        <source>&amp;Record session to CSV…</source>
        <translation>录制会话到 CSV(&amp;R)…</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>Write the pulse and heart rate to a CSV file while the analysis runs</source>
        <translation>在分析进行时把脉搏波形和心率写入 CSV 文件</translation>
    </message>
    <message>
        <source>Record session</source>
        <translation>录制会话</translation>
    </message>
    <message>
        <source>Recording stopped: %1</source>
        <translation>录制已停止：%1</translation>
    </message>
    <message>
        <source>Cannot record: %1</source>
        <translation>无法录制：%1</translation>
    </message>
    <message>
        <source>● Recording to %1</source>
        <translation>● 正在录制到 %1</translation>
    </message>
    <message>
        <source>Recording the session to %1 (saved every second).</source>
        <translation>正在把会话录制到 %1（每秒保存一次）。</translation>
    </message>
    <message>
        <source>The recording could not be completed: %1</source>
        <translation>录制未能完成：%1</translation>
    </message>
    <message numerus="yes">
        <source>Recorded %n sample(s) to %1.</source>
        <translation>
            <numerusform>已录制 %n 个样本到 %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>The settings file could not be read safely; it was moved to %1 and the defaults are used.</source>
        <translation>无法安全读取设置文件；已将其移至 %1，并使用默认设置。</translation>
    </message>
    <message>
        <source>The remembered method “%1” is not available here; using %2.</source>
        <translation>上次使用的方法“%1”在此不可用；改用 %2。</translation>
    </message>
    <message>
        <source>CUDA device %1</source>
        <translation>CUDA 设备 %1</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language set to %1: it applies when rPPG Studio next starts.</source>
        <translation>界面语言已设为 %1，下次启动 rPPG Studio 时生效。</translation>
    </message>
    <message>
        <source>Recording to %1. An interrupted earlier recording to that file was kept as %2.</source>
        <translation>正在录制到 %1。之前中断的同名录制已保留为 %2。</translation>
    </message>
    <message>
        <source>Load &amp;reference…</source>
        <translation>加载参考值(&amp;R)…</translation>
    </message>
    <message>
        <source>Load reference heart rate or PPG</source>
        <translation>加载参考心率或 PPG</translation>
    </message>
    <message>
        <source>Reference files (*.csv *.txt);;All files (*)</source>
        <translation>参考文件 (*.csv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Reference: %1</source>
        <translation>参考：%1</translation>
    </message>
    <message>
        <source>reference %1 bpm, error %2 bpm</source>
        <translation>参考 %1 bpm，误差 %2 bpm</translation>
    </message>
    <message>
        <source>mean absolute error %1 bpm</source>
        <translation>平均绝对误差 %1 bpm</translation>
    </message>
    <message>
        <source>Pulse method</source>
        <translation>脉搏方法</translation>
    </message>
    <message>
        <source>Cannot use %1 as the reference: %2</source>
        <translation>无法将 %1 用作参考：%2</translation>
    </message>
    <message>
        <source>The remembered compared methods “%1” are not available here.</source>
        <translation>记住的对比方法“%1”在此不可用。</translation>
    </message>
    <message>
        <source>Other methods run beside the main one on the same frames: their heart rates in the readout and their curves in the trend</source>
        <translation>在相同帧上与主方法同时运行的其他方法：读数中显示其心率，趋势图中显示其曲线</translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation>对比：</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 bpm</source>
        <translation>%1 bpm</translation>
    </message>
    <message>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <source>MAE %1 bpm</source>
        <translation>平均绝对误差 %1 bpm</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>参考</translation>
    </message>
    <message>
        <source>heart rate (%1)</source>
        <translation>心率（%1）</translation>
    </message>
    <message>
        <source>Breathing rate from the pulse: breathing changes the time between beats and their strength. Shown when both agree, over the last %1 s.</source>
        <translation>由脉搏估计的呼吸频率：呼吸会改变心跳间隔和搏动强度。两者一致时显示，基于最近 %1 秒。</translation>
    </message>
    <message>
        <source>breathing %1 per minute</source>
        <translation>呼吸 每分钟 %1 次</translation>
    </message>
    <message>
        <source>breathing: uncertain</source>
        <translation>呼吸：不确定</translation>
    </message>
    <message>
        <source>lag
%1 s</source>
        <translation>延迟
%1 秒</translation>
    </message>
    <message>
        <source>%1 analysed to the end; no estimate was good enough for a typical rate.</source>
        <translation>%1 已分析完毕；没有足够好的估计可给出典型心率。</translation>
    </message>
    <message numerus="yes">
        <source>%1 analysed to the end: typical %2 bpm (median of %n good estimate(s), %3–%4 bpm).</source>
        <translation>
            <numerusform>%1 已分析完毕：典型心率 %2 bpm（%n 个良好估计的中位数，%3–%4 bpm）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Low quality: head motion</source>
        <translation>质量较低：头部运动</translation>
    </message>
    <message>
        <source>Low quality: inconsistent</source>
        <translation>质量较低：前后不一致</translation>
    </message>
    <message numerus="yes">
        <source>%1 analysed to the end: only %n of %2 estimate(s) good, no typical rate to trust (no pulse, or too much noise, compression or motion).</source>
        <translation>
            <numerusform>%1 已分析完毕：%2 个估计中仅 %n 个良好，没有可信的典型心率（无脉搏，或噪声、压缩或运动过多）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Heart-rate variability over the last %1 s, from the beats: SDNN (spread of the intervals) and RMSSD (beat-to-beat change). Shown when the beats are clean and alike; compression and motion move them and inflate both.</source>
        <translation>最近 %1 秒内由心搏得出的心率变异性：SDNN（间期的离散程度）与 RMSSD（逐搏变化）。仅在心搏清晰且形状一致时显示；压缩和运动会使心搏位置偏移，使两者偏大。</translation>
    </message>
    <message>
        <source>HRV: SDNN %1 ms, RMSSD %2 ms</source>
        <translation>心率变异性：SDNN %1 毫秒，RMSSD %2 毫秒</translation>
    </message>
    <message>
        <source>HRV: uncertain</source>
        <translation>心率变异性：不确定</translation>
    </message>
    <message>
        <source>Low quality: unconfirmed</source>
        <translation>质量较低：未获经典方法证实</translation>
    </message>
    <message>
        <source>signal-to-noise %1 dB · %2 s window · octave-corrected from %3 bpm</source>
        <translation>信噪比 %1 dB · %2 秒窗口 · 已从 %3 bpm 作倍频校正</translation>
    </message>
    <message>
        <source>Low quality: frozen picture</source>
        <translation>质量较低：画面静止</translation>
    </message>
    <message>
        <source>Check networks against POS and GREEN</source>
        <translation>用 POS 和 GREEN 核对神经网络</translation>
    </message>
    <message>
        <source>A network&apos;s window counts as good only when POS or GREEN on the same skin finds the same rate, and a network that reads twice or half that rate is moved to it. Off: the network&apos;s own reading alone.</source>
        <translation>只有当同一皮肤区域上的 POS 或 GREEN 得到相同心率时，神经网络的窗口才算良好；网络读数为该心率的两倍或一半时改用该心率。关闭：只用网络自身的读数。</translation>
    </message>
    <message>
        <source>STVEN output, %1×%2 px</source>
        <translation>STVEN 输出，%1×%2 像素</translation>
    </message>
    <message>
        <source>Check classical methods too</source>
        <translation>同时校验经典方法</translation>
    </message>
    <message>
        <source>A classical method&apos;s window counts as good only when the other of POS and GREEN finds the same rate (and an octave it finds is taken). Fewer wrong readings pass on compressed video; a right one whose witness is wrong is rated low.</source>
        <translation>仅当 POS 与 GREEN 中的另一种方法找到相同心率时，经典方法的窗口才算良好（并采用其找到的倍频）。压缩视频上通过的错误读数更少；见证方法出错时，正确的读数会被评为低质量。</translation>
    </message>
</context>
</TS>
