/*
 * heap.c - process-wide malloc settings for tools (see finn/heap.h).
 */
#include "finn/heap.h"

#include <stdint.h>
#include <stdlib.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/mman.h>
#endif

void finn_heap_keep_freed(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
}

#define HUGE_PAGE ((uintptr_t)2 << 20)

void finn_heap_reserve(size_t bytes)
{
#if defined(__GLIBC__) && defined(__linux__)
    if (bytes < HUGE_PAGE || bytes > ((size_t)1 << 32))
        return;
    finn_heap_keep_freed(); /* the block must come from, and return to, the heap */
    char *p = malloc(bytes);
    if (!p)
        return;
    uintptr_t lo = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
    uintptr_t huge_lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    /* the huge-page range ends at least a page below the block's end: were
     * it to reach the top of the heap, later heap growth would join it and
     * take whole huge pages */
    uintptr_t huge_hi = ((uintptr_t)p + bytes - 4096) & ~(HUGE_PAGE - 1);
#ifdef MADV_HUGEPAGE
    if (huge_hi > huge_lo)
        (void)madvise((void *)huge_lo, huge_hi - huge_lo, MADV_HUGEPAGE);
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels refuse it: nothing happens */
#endif
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
    free(p); /* back to the top of the heap, which is never trimmed now */
#else
    (void)bytes;
#endif
}
