#ifndef POOLNET_CMNL_SHIM_H
#define POOLNET_CMNL_SHIM_H
#include <stdint.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
/* Devconf indexes (IPV4_DEVCONF_*, DEVCONF_*) of IFLA_INET_CONF and IFLA_INET6_CONF. netinet/in.h
   first, so that linux/in6.h (from linux/ipv6.h) leaves libc's definitions alone. */
#include <netinet/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

/* setns(2) is only declared with _GNU_SOURCE; declare it here so Swift can call it. */
extern int setns(int fd, int nstype);
#ifndef CLONE_NEWNET
#define CLONE_NEWNET 0x40000000
#endif
static inline int poolnet_clone_newnet(void) { return CLONE_NEWNET; }

/* Macros Swift cannot import. */
static inline unsigned int poolnet_nlmsg_align(unsigned int len) { return NLMSG_ALIGN(len); }
static inline const struct nlmsgerr *poolnet_nlmsg_err(const struct nlmsghdr *nlh) {
    return (const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh);
}
#endif
