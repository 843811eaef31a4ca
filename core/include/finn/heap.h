/*
 * heap.h - process-wide memory settings for tools that run builds.
 *
 * Not for library code: these change how malloc behaves for the whole
 * process, so only a program's main() should call them.
 */
#ifndef FINN_HEAP_H
#define FINN_HEAP_H

#include <stddef.h>

/* Keep freed memory in the heap for the process's lifetime (glibc): big
 * tensors are freed and allocated again and again while a build rewrites a
 * model, and without this each new block is a fresh mmap that pays page
 * faults again. */
void finn_heap_keep_freed(void);

/* Grow the heap by about `bytes` now and fault that memory in with one
 * system call, on transparent huge pages where the kernel offers them
 * (Linux madvise MADV_HUGEPAGE + MADV_POPULATE_WRITE).  Later allocations
 * up to that size then touch no new pages.  On small VMs a page fault costs
 * around 10 microseconds, so a build that allocates twice its model's size
 * saves tens of milliseconds; the memory is resident from the start, so ask
 * for what the run will use anyway.  Does nothing where unsupported. */
void finn_heap_reserve(size_t bytes);

#endif
