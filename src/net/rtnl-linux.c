/*
 * rtnl-linux.c - rtnl.h with libmnl. One request at a time, each with
 * NLM_F_ACK, and the answer read until the ack for its sequence number:
 * the socket is private to its owner, so nothing else arrives on it.
 */
#include "rtnl.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "netns.h"

/* Requests are small; one answer (a link's attributes) fits easily. */
#define RTNL_BUF	16384

struct rtnl {
	struct mnl_socket	*nl;
	uint32_t		 portid;
	uint32_t		 seq;
	char			 buf[RTNL_BUF];
};

int
rtnl_open(struct rtnl **out, int ns_fd)
{
	struct rtnl *r;
	int fd = -1, e;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	fd = netns_socket(ns_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd == -1)
		goto fail;
	if ((r->nl = mnl_socket_fdopen(fd)) == NULL)
		goto fail;
	fd = -1;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (uint32_t)time(NULL);
	*out = r;
	return 0;
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	rtnl_close(r);
	errno = e;
	return -1;
}

void
rtnl_close(struct rtnl *r)
{
	if (r == NULL)
		return;
	if (r->nl != NULL)
		mnl_socket_close(r->nl);
	free(r);
}

static struct nlmsghdr *
rtnl_msg(struct rtnl *r, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	return nlh;
}

/* Sends nlh and reads until its ack; cb sees any data answer. */
static int
rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) == -1)
		return -1;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
		if (n == -1)
			return -1;
		/* libmnl sets errno from an NLMSG_ERROR answer. */
		rc = mnl_cb_run(r->buf, (size_t)n, seq, r->portid, cb, arg);
		if (rc == MNL_CB_ERROR)
			return -1;
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

static int
rtnl_ifindex_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(int *)arg = ifi->ifi_index;
	return MNL_CB_OK;
}

int
rtnl_ifindex(struct rtnl *r, const char *name)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int idx = -1;

	if (strlen(name) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	nlh = rtnl_msg(r, RTM_GETLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (rtnl_talk(r, nlh, rtnl_ifindex_cb, &idx) == -1)
		return -1;
	if (idx <= 0) {
		errno = ENODEV;
		return -1;
	}
	return idx;
}

int
rtnl_link_set(struct rtnl *r, int ifindex, unsigned mtu, bool up)
{
	struct nlmsghdr *nlh = rtnl_msg(r, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi;

	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mtu != 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int
rtnl_link_del(struct rtnl *r, const char *name)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	if (strlen(name) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	nlh = rtnl_msg(r, RTM_DELLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int
rtnl_veth_add(struct rtnl *r, const char *name, const char *peer,
    int peer_ns_fd)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi, *pifi;
	struct nlattr *linkinfo, *data, *pinfo;

	if (strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	nlh = rtnl_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* VETH_INFO_PEER carries an ifinfomsg, then the peer's attributes. */
	pinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_ns_fd != -1)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
	mnl_attr_nest_end(nlh, pinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int
rtnl_addr(struct rtnl *r, bool add, int ifindex, uint32_t addr, uint8_t plen)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if (plen > 32) {
		errno = EINVAL;
		return -1;
	}
	nlh = rtnl_msg(r, add ? RTM_NEWADDR : RTM_DELADDR,
	    add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, htonl(addr));
	mnl_attr_put_u32(nlh, IFA_ADDRESS, htonl(addr));
	return rtnl_talk(r, nlh, NULL, NULL);
}

int
rtnl_route(struct rtnl *r, bool add, int ifindex, uint32_t dst, uint8_t plen,
    uint32_t gw)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (plen > 32) {
		errno = EINVAL;
		return -1;
	}
	/* Adding replaces: the caller's table is the truth, not the kernel's. */
	nlh = rtnl_msg(r, add ? RTM_NEWROUTE : RTM_DELROUTE,
	    add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_type = RTN_UNICAST;
	if (add) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = gw != 0 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	} else
		rtm->rtm_scope = RT_SCOPE_NOWHERE;	/* any scope */
	if (plen > 0)
		mnl_attr_put_u32(nlh, RTA_DST, htonl(dst));
	if (gw != 0)
		mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gw));
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return rtnl_talk(r, nlh, NULL, NULL);
}
