// Fuzz target: the application's settings file (ui/settings.h, an INI file read through QSettings).
// The bytes become the file; every getter must return a valid value (settings_check.h), and
// setting every preference over whatever the file held must read back. Each input gets a file of
// its own name: QSettings caches parsed files by path and modification time, so reusing one name
// could hand an input the previous one's values.

#include "common.h"
#include "settings_check.h"

#include <QFile>

#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 18))
        return -1;
    static unsigned long long counter = 0;
    const QString path = rppg::fuzz::writeInput(QStringLiteral("settings-%1.ini").arg(++counter), data, size);
    const std::string failure = rppg::fuzz::checkSettingsFile(path, true);
    // QSettings keeps the last files it read in a cache; one that is empty on disk when its last
    // user lets go is dropped instead. Without this each input would leave its file's keys
    // behind, libFuzzer would see more allocations than frees and run a full leak scan per input.
    QFile::remove(path);
    QFile::remove(path + QStringLiteral(".damaged"));   // an unsafe input, moved aside by Settings
    {
        rppg::Settings gone(path);
        gone.sync();
    }
    if (!failure.empty()) {
        std::fprintf(stderr, "fuzz_settings: %s\n", failure.c_str());
        __builtin_trap();
    }
    return 0;
}
