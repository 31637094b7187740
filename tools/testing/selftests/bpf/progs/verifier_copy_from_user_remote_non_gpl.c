// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

/* Not GPL-compatible: bpf_copy_from_user_remote() is GPL-only. */
char _license[] SEC("license") = "MIT";

SEC("syscall")
__description("copy_from_user_remote: non-GPL program")
__failure __msg("cannot call GPL-restricted function from non-GPL compatible program")
int non_gpl(void *ctx)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}
