#pragma once

// Versions and licences of the libraries this build uses, for `--version` texts and the About box.
// Core knows its own dependencies (Qt, OpenCV, FFmpeg, dlib); layers above it (libtorch) add
// theirs with registerComponent() at start-up, before any thread reads the list.

#include <QString>
#include <vector>

namespace rppg {

struct ComponentInfo
{
    QString name;      // "OpenCV"
    QString version;   // "4.6.0"
    QString licence;   // "Apache-2.0"
    QString url;
};

// Qt, OpenCV, FFmpeg (libavcodec, libavformat, libavutil, libswscale) and dlib, then whatever
// was registered, in registration order.
std::vector<ComponentInfo> componentVersions();

// Adds (or replaces, by name) a component. Call from main() before threads start.
void registerComponent(const ComponentInfo &info);

} // namespace rppg
