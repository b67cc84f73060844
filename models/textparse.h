#pragma once
// Small text helpers shared by the cache reader and the two training front ends.

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace rppg::models {

// `s` without leading and trailing blanks (spaces, tabs, CR, LF).
inline std::string trimText(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// `s` cut at every `sep`, each piece trimmed; a trailing separator gives a last empty piece.
inline std::vector<std::string> splitText(const std::string &s, char sep)
{
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        out.push_back(trimText(cur));
    if (!s.empty() && s.back() == sep)
        out.emplace_back();
    return out;
}

// The whole of `text` read as a finite number; false for empty text, trailing characters,
// overflow, inf or nan.
inline bool readFiniteNumber(const std::string &text, double &out)
{
    if (text.empty())
        return false;
    char *end = nullptr;
    errno = 0;
    out = std::strtod(text.c_str(), &end);
    return errno == 0 && end && *end == '\0' && std::isfinite(out);
}

}   // namespace rppg::models
