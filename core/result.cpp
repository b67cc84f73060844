#include "result.h"

#include <QSaveFile>

namespace rppg {

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::None: return QStringLiteral("none");
    case ErrorCode::Internal: return QStringLiteral("internal");
    case ErrorCode::Usage: return QStringLiteral("usage");
    case ErrorCode::FileNotFound: return QStringLiteral("file_not_found");
    case ErrorCode::NotAVideo: return QStringLiteral("not_a_video");
    case ErrorCode::CorruptVideo: return QStringLiteral("corrupt_video");
    case ErrorCode::NoFrames: return QStringLiteral("no_frames");
    case ErrorCode::NoFace: return QStringLiteral("no_face");
    case ErrorCode::WriteFailed: return QStringLiteral("write_failed");
    case ErrorCode::BadData: return QStringLiteral("bad_data");
    case ErrorCode::Unsupported: return QStringLiteral("unsupported");
    case ErrorCode::Cancelled: return QStringLiteral("cancelled");
    case ErrorCode::TooShort: return QStringLiteral("too_short");
    }
    return QStringLiteral("unknown");
}

Error writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error{ErrorCode::WriteFailed,
                     QStringLiteral("cannot write '%1': %2").arg(path, file.errorString().simplified())};
    return Error::none();
}

} // namespace rppg
