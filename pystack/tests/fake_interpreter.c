// SPDX-License-Identifier: GPL-2.0
/* A program that looks like CPython to pystack from the outside: it is
 * named python..., exports _PyRuntime and Py_Version (PY_VERSION_HEX when
 * built), but its _PyRuntime holds no interpreter of any CPython layout:
 * every word points at a block of zeros. pystack must say that its layout
 * does not fit, or that it does not sample the version. Built with
 * FREE_THREADED, _PyRuntime starts with 3.13's _Py_DebugOffsets head
 * (cookie, version, free_threaded = 1), as a 3.13t build's does.
 * Prints "up" and waits to be killed.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#ifndef PY_VERSION_HEX
#error "build with -DPY_VERSION_HEX=0x030b07f0 or the like"
#endif

#ifdef FREE_THREADED
#define HEAD 3
#else
#define HEAD 0
#endif

const uint32_t Py_Version = PY_VERSION_HEX;
struct runtime {
	char cookie[HEAD ? 8 : 0];
	uint64_t head[HEAD ? 2 : 0];
	uint64_t words[512 - HEAD];
} _PyRuntime = {
#ifdef FREE_THREADED
	.cookie = "xdebugpy",
	.head = { PY_VERSION_HEX, 1 },
#endif
};
static uint64_t zeros[512];

int main(void)
{
	for (int i = 0; i < 512 - HEAD; i++)
		_PyRuntime.words[i] = (uint64_t)(uintptr_t)zeros;
	printf("up\n");
	fflush(stdout);
	for (;;)
		pause();
}
