#include "threadpriority.h"

#ifdef __linux__
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace rppg {

void lowerCurrentThreadPriority(int niceSteps)
{
#ifdef __linux__
    // On Linux the nice value belongs to the thread (the "process" id given is the thread's id).
    const auto tid = id_t(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (current == -1 && errno != 0)
        return;
    ::setpriority(PRIO_PROCESS, tid, current + niceSteps);
#else
    (void)niceSteps;
#endif
}

} // namespace rppg
