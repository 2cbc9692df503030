/* The C counterpart of freestanding/src/bin/tiny.rs, for ci/bench.sh's footprint rows: an
 * epoll instance, an eventfd registered with it, one write, one wait, and a check of the event
 * that came back. Exits 0 when the kernel reported exactly that event, 1 otherwise. Built
 * static and stripped against musl and glibc. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define TOKEN 0x0123456789abcdefULL

int main(void)
{
	int epoll = epoll_create1(EPOLL_CLOEXEC);
	int efd = eventfd(0, EFD_CLOEXEC);
	if (epoll < 0 || efd < 0)
		return 1;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TOKEN };
	if (epoll_ctl(epoll, EPOLL_CTL_ADD, efd, &ev) != 0)
		return 1;
	uint64_t one = 1;
	if (write(efd, &one, sizeof one) != sizeof one)
		return 1;
	struct epoll_event out[1];
	int n = epoll_wait(epoll, out, 1, -1);
	return !(n == 1 && out[0].events == EPOLLIN && out[0].data.u64 == TOKEN);
}
