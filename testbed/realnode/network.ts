/**
 * network.ts: the node's own network namespace and the link between it and the host.
 *
 *   host netns                                 netns bindy-node
 *   127.0.0.1: etcd, apiserver, tests          eth0 10.201.0.2/30 (node InternalIP): kubelet,
 *   bindy-h0 10.201.0.1/30  <--- veth --->       containerd, kube-proxy (iptables live here)
 *     socat 10.201.0.1:<apiserver port>        cni0 10.244.0.1/24 (bridge CNI)
 *       -> 127.0.0.1:<apiserver port>            pods 10.244.0.x, each in a CNI-made netns
 *   routes 10.244.0.0/24 and 10.96.0.0/16
 *     via 10.201.0.2 (pods and Services)       default via 10.201.0.1 (the apiserver only:
 *                                                the host does not forward, so nothing leaves)
 *
 * Host-side test processes (jest, operator replicas run as host processes, dig) reach pod IPs
 * and ClusterIPs through the two routes; kube-proxy's DNAT in the node's netns does the rest.
 * Pods reach the apiserver through the `kubernetes` Service, whose endpoint is the advertise
 * address 10.201.0.1. Nothing here touches the host's iptables or its other interfaces, and
 * deleting the netns and the host end of the veth removes all of it.
 */
import { existsSync } from 'node:fs';
import { sh, trySh } from './host.js';

/** NODE_NET is the node's addressing; one node per machine at a time (tests hold /tmp/bindy-bed.lock). */
export const NODE_NET = {
  netns: 'bindy-node',
  hostLink: 'bindy-h0',
  hostIp: '10.201.0.1',
  nodeIp: '10.201.0.2',
  prefix: 30,
  podCidr: '10.244.0.0/24',
  podGateway: '10.244.0.1',
  serviceCidr: '10.96.0.0/16',
} as const;

/** NETNS_PATH is the namespace file to enter (`nsenter --net=`). */
export const NETNS_PATH = `/run/netns/${NODE_NET.netns}`;

/** inNodeNetns prefixes a command so it runs in the node's network namespace (same mount namespace). */
export function inNodeNetns(command: string, args: readonly string[]): [string, string[]] {
  return ['nsenter', [`--net=${NETNS_PATH}`, '--', command, ...args]];
}

/** setUpNodeNetwork creates the namespace, the veth and the routes; it removes leftovers first. */
export function setUpNodeNetwork(): void {
  tearDownNodeNetwork();
  const n = NODE_NET;
  const ipn = (...args: string[]): string => sh('ip', ['-n', n.netns, ...args]);
  sh('ip', ['netns', 'add', n.netns]);
  sh('ip', ['link', 'add', n.hostLink, 'type', 'veth', 'peer', 'name', 'bindy-n0', 'netns', n.netns]);
  sh('ip', ['addr', 'add', `${n.hostIp}/${n.prefix}`, 'dev', n.hostLink]);
  sh('ip', ['link', 'set', n.hostLink, 'up']);
  ipn('link', 'set', 'bindy-n0', 'name', 'eth0');
  ipn('addr', 'add', `${n.nodeIp}/${n.prefix}`, 'dev', 'eth0');
  ipn('link', 'set', 'eth0', 'up');
  ipn('link', 'set', 'lo', 'up');
  ipn('route', 'add', 'default', 'via', n.hostIp);
  sh('ip', ['route', 'add', n.podCidr, 'via', n.nodeIp, 'dev', n.hostLink]);
  sh('ip', ['route', 'add', n.serviceCidr, 'via', n.nodeIp, 'dev', n.hostLink]);
  // Per-namespace settings: the node routes between its pods, its eth0 and the host, and bridged
  // pod-to-pod replies pass iptables so Service DNAT is undone for them too.
  const [cmd, args] = inNodeNetns('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  sh(cmd, args);
  if (existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
    const [c2, a2] = inNodeNetns('sysctl', ['-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
    trySh(c2, a2);
  }
}

/** nodeNetnsPids lists the processes running in the node's namespace (empty when it does not exist). */
export function nodeNetnsPids(): number[] {
  if (!existsSync(NETNS_PATH)) return [];
  const out = sh('ip', ['netns', 'pids', NODE_NET.netns]);
  return out.split('\n').filter(Boolean).map(Number);
}

/** tearDownNodeNetwork deletes the namespace (and with it the bridge, iptables and the veth) and the host end. */
export function tearDownNodeNetwork(): void {
  if (existsSync(NETNS_PATH)) trySh('ip', ['netns', 'delete', NODE_NET.netns]);
  // The host end normally goes with its peer; a half-made setup may have left it alone.
  trySh('ip', ['link', 'delete', NODE_NET.hostLink]);
}
