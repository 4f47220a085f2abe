#define _GNU_SOURCE
#include "common/ncpu.h"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

long ncpu_online(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

int ncpu_threads(int64_t setting, int max_auto)
{
	if (setting > 0)
		return setting > 1024 ? 1024 : (int)setting;
	long n = ncpu_online();
	if (max_auto > 0 && n > max_auto)
		n = max_auto;
	return n > 0 ? (int)n : 1;
}

bool ncpu_spawn(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	bool ok = pthread_create(th, NULL, fn, arg) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ok;
}
