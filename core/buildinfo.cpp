#include "buildinfo.h"

#include <opencv2/core/version.hpp>
#include <dlib/revision.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswscale/swscale.h>
}

#include <QtGlobal>

namespace rppg {

namespace {

std::vector<ComponentInfo> &registered()
{
    static std::vector<ComponentInfo> list;
    return list;
}

QString avVersion(unsigned v)
{
    return QStringLiteral("%1.%2.%3").arg(AV_VERSION_MAJOR(v)).arg(AV_VERSION_MINOR(v)).arg(AV_VERSION_MICRO(v));
}

} // namespace

std::vector<ComponentInfo> componentVersions()
{
    std::vector<ComponentInfo> out;
    out.push_back({QStringLiteral("Qt"), QString::fromLatin1(qVersion()), QStringLiteral("LGPL-3.0 / GPL-3.0"),
                   QStringLiteral("https://www.qt.io/")});
    out.push_back({QStringLiteral("OpenCV"), QStringLiteral(CV_VERSION), QStringLiteral("Apache-2.0"),
                   QStringLiteral("https://opencv.org/")});
    const QString ffmpeg = QStringLiteral("%1 (libavcodec %2, libavformat %3, libavutil %4, libswscale %5)")
                               .arg(QString::fromLatin1(av_version_info()), avVersion(avcodec_version()),
                                    avVersion(avformat_version()), avVersion(avutil_version()),
                                    avVersion(swscale_version()));
    out.push_back({QStringLiteral("FFmpeg"), ffmpeg, QStringLiteral("LGPL-2.1+ (GPL-2.0+ with x264/x265)"),
                   QStringLiteral("https://ffmpeg.org/")});
    out.push_back({QStringLiteral("dlib"),
                   QStringLiteral("%1.%2.%3").arg(DLIB_MAJOR_VERSION).arg(DLIB_MINOR_VERSION).arg(DLIB_PATCH_VERSION),
                   QStringLiteral("BSL-1.0 (Boost)"), QStringLiteral("http://dlib.net/")});
    for (const ComponentInfo &c : registered())
        out.push_back(c);
    return out;
}

void registerComponent(const ComponentInfo &info)
{
    for (ComponentInfo &c : registered()) {
        if (c.name == info.name) {
            c = info;
            return;
        }
    }
    registered().push_back(info);
}

} // namespace rppg
