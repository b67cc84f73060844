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

// `items` joined with `sep` between them ("a|b|c").
inline std::string joinText(const std::vector<std::string> &items, const std::string &sep)
{
    std::string out;
    for (size_t i = 0; i < items.size(); ++i)
        out += (i ? sep : std::string()) + items[i];
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

// The last component of a path ("/tmp/work/cache40/" -> "cache40"). Checkpoints record only
// these, never the folders of the machine that trained them.
inline std::string pathLeaf(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos || path.size() == 1 ? path : path.substr(slash + 1);
}

// `text` with every path in it shortened to its pathLeaf. Paths are the pieces between ',' and
// ';' that contain '/', or the value of such a piece's "key=" ("/d/ubfc,ubfc;gt=/d/x/hr.csv" ->
// "ubfc,ubfc;gt=hr.csv"); the separators and every other piece stay as they are.
inline std::string withoutFolders(const std::string &text)
{
    std::string out;
    size_t begin = 0;
    while (begin <= text.size()) {
        size_t end = text.find_first_of(",;", begin);
        if (end == std::string::npos)
            end = text.size();
        const std::string piece = text.substr(begin, end - begin);
        const size_t eq = piece.find('=');
        const size_t valueAt = eq == std::string::npos ? 0 : eq + 1;
        out += piece.find('/', valueAt) == std::string::npos ? piece
                                                             : piece.substr(0, valueAt) + pathLeaf(piece.substr(valueAt));
        if (end < text.size())
            out += text[end];
        begin = end + 1;
    }
    return out;
}

// A command line as a checkpoint records it: each argument withoutFolders, joined by spaces.
inline std::string commandWithoutFolders(const std::vector<std::string> &args)
{
    std::string out;
    for (const std::string &arg : args)
        out += (out.empty() ? "" : " ") + withoutFolders(arg);
    return out;
}

}   // namespace rppg::models
