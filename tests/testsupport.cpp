#include "testsupport.h"

#include <QFile>
#include <QTest>

namespace rppg::test {

SynthConfig defaultSynthConfig(double meanHrBpm, double durationSec)
{
    SynthConfig c;
    c.durationSec = durationSec;
    c.pulse.meanHrBpm = meanHrBpm;
    c.pulse.sdnnMs = 20;
    c.noiseSigma = 1.0;
    c.seed = 7;
    SynthVariant v;
    v.encoder.codec = QStringLiteral("ffv1");
    c.variants.push_back(v);
    return c;
}

QString makeSynthVideo(const QTemporaryDir &dir, const QString &fileName, SynthConfig config)
{
    if (config.variants.empty())
        config.variants.push_back(SynthVariant{});
    config.variants[0].videoPath = dir.filePath(fileName);
    const auto result = generateSynthVideo(config);
    if (!result.ok()) {
        qWarning("synthetic video generation failed: %s", qPrintable(result.error().message));
        return {};
    }
    return config.variants[0].videoPath;
}

QString writeFile(const QTemporaryDir &dir, const QString &fileName, const QByteArray &bytes)
{
    const QString path = dir.filePath(fileName);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(bytes);
    return path;
}

} // namespace rppg::test
