// Linux headers that Swift's Glibc module does not export: the event loop needs epoll and
// eventfd.
#include <sys/epoll.h>
#include <sys/eventfd.h>

