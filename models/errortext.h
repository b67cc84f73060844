#pragma once

// Turning exceptions into the one-line error texts the models API hands back (`std::string *error`).
// Internal to rppg_models: checkpoint.cpp and referenceimport.cpp share it.

#include <c10/util/Exception.h>

#include <exception>
#include <string>

namespace rppg::models::detail {

// One line for an error message: the first non-blank line of a (possibly multi-line) text.
inline std::string firstLine(const std::string &text)
{
    size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        auto line = text.substr(start, end - start);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty())
            return line;
        start = end + 1;
    }
    return "unknown error";
}

// Runs fn; an exception becomes false and its first line in *error (libtorch's without backtrace).
template<typename Fn>
bool guarded(std::string *error, Fn &&fn)
{
    try {
        fn();
        return true;
    } catch (const c10::Error &e) {
        if (error)
            *error = firstLine(e.what_without_backtrace());
    } catch (const std::exception &e) {
        if (error)
            *error = firstLine(e.what());
    }
    return false;
}

} // namespace rppg::models::detail
