#pragma once

// Errors as values at module boundaries. Every failure class maps to one process exit code of
// the `rppg` command line (see README "Exit codes"), so the class is chosen where the error is
// detected and never re-guessed from the message text.

#include <QString>

#include <optional>
#include <utility>

namespace rppg {

enum class ErrorCode {
    None = 0,
    Internal,      // a bug or an unexpected library failure
    Usage,         // bad command line or configuration value
    FileNotFound,  // input path missing or unreadable
    NotAVideo,     // the file is not a container FFmpeg can open, or has no video stream
    CorruptVideo,  // the container opened but no frame could be decoded
    NoFrames,      // the video has zero frames
    NoFace,        // no face was found in any frame
    WriteFailed,   // an output could not be written (permissions, full disk)
    BadData,       // a malformed data file (CSV, JSON, checkpoint, dataset folder)
    Unsupported,   // valid input that this build cannot handle (codec missing, pixel format)
    Cancelled,     // the user stopped the job
    TooShort,      // the signal is shorter than one analysis window
};

struct Error
{
    ErrorCode code = ErrorCode::None;
    QString message;

    bool isError() const { return code != ErrorCode::None; }
    static Error none() { return {}; }
};

inline Error makeError(ErrorCode code, const QString &message)
{
    return Error{code, message};
}

// A value or an error. Deliberately small: `ok()`, `value()`, `error()`.
template<typename T>
class Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    {}
    Result(Error error)
        : m_error(std::move(error))
    {
        if (!m_error.isError())
            m_error.code = ErrorCode::Internal;
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const Error &error() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

// Name of an error class, for logs and JSON ("file_not_found", ...).
QString errorCodeName(ErrorCode code);

// Writes `bytes` to `path` atomically (a temporary file beside it, renamed when complete), so the
// path holds either its previous content or all of the new one. Error: WriteFailed, one line.
Error writeFileAtomically(const QString &path, const QByteArray &bytes);

} // namespace rppg
