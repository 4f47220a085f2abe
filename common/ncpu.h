/* ncpu: how many CPUs this process may run on, and the thread count a run
 * uses for work whose result does not depend on it (run.threads).
 * Threads never change a result: work split across them is combined in a
 * fixed order, so any count gives byte-identical output. */
#ifndef OM_NCPU_H
#define OM_NCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* CPUs in this process's affinity mask (sysconf's online count if that
 * cannot be read); at least 1. */
long ncpu_online(void);

/* The threads for a run.threads value: the value itself when positive,
 * else (0 = auto) ncpu_online() capped at max_auto. At least 1. */
int ncpu_threads(int64_t setting, int max_auto);

/* Starts fn(arg) on a helper thread with every signal blocked, so that
 * interrupts reach the run's thread. False when no thread could be made. */
bool ncpu_spawn(pthread_t *th, void *(*fn)(void *), void *arg);

#endif
