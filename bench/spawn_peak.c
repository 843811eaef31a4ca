/*
 * spawn_peak.c - run a command once and print its wall time and peak
 * resident memory: "WALL_MS MAXRSS_KB EXIT_CODE" on stdout (the command's
 * own output goes to /dev/null, its stderr stays).
 *
 * Why not from Python: a child's ru_maxrss also counts the memory of the
 * process it was forked from until it calls exec, so a command started by
 * a 20 MB Python shows at least 20 MB.  This helper is small.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: spawn_peak COMMAND [ARGS...]\n");
        return 2;
    }
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 1;
    }
    double ms = now_ms() - t0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("%.3f %ld %d\n", ms, ru.ru_maxrss, code);
    return 0;
}
