/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the benchmark's BPF programs and its user space: one
 * BPF_PROG_RUN performs `reads` reads of `size` bytes from process `pid`,
 * all at `addr`, or (chase) each at the address the previous read returned
 * in its first 8 bytes.
 */
#ifndef BENCH_ARGS_H
#define BENCH_ARGS_H

#define BENCH_BUF_SIZE 65536

struct bench_args {
	__u64 addr; /* in: first address; out: where the next batch continues */
	__u32 reads; /* in: reads to perform */
	__u32 size; /* in: bytes per read, at most BENCH_BUF_SIZE */
	__s32 pid; /* in: the target */
	__u32 chase; /* in: 1 to follow the first 8 bytes of each read */
	__u32 done; /* out: reads performed */
	__s32 error; /* out: 0, or the first error (the run stops there) */
	__u64 last; /* out: the address of the last read */
};

#endif /* BENCH_ARGS_H */
