/**
 * configs.ts renders the node's configuration files: containerd, the bridge CNI conflist, the
 * kubelet's and kube-proxy's. Every path is under the node's directory; the settings that this
 * machine kind needs are explained where they are set (see also DESIGN.md "The real node").
 */
import { stringify } from 'yaml';
import { NODE_USER } from '../control-plane.js';
import { NODE_NET } from './network.js';

/** NODE_NAME is the Node object's name (the kubelet's --hostname-override). */
export const NODE_NAME = NODE_USER;
/** PAUSE_IMAGE is the sandbox image containerd runs for every pod (built locally, never pulled). */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

/** NodePaths are the node's files and directories, all below `root`. */
export interface NodePaths {
  readonly root: string;
  readonly containerdConfig: string;
  readonly containerdSocket: string;
  readonly cniConfDir: string;
  readonly kubeletDir: string;
  readonly kubeletConfig: string;
  readonly proxyConfig: string;
}

export function nodePaths(root: string): NodePaths {
  return {
    root,
    containerdConfig: `${root}/containerd.toml`,
    containerdSocket: `${root}/containerd.sock`,
    cniConfDir: `${root}/cni`,
    kubeletDir: `${root}/kubelet`,
    kubeletConfig: `${root}/kubelet.yaml`,
    proxyConfig: `${root}/kube-proxy.yaml`,
  };
}

/** containerdConfig is containerd 1.6's config (version 2) for a CRI-only node. */
export function containerdConfig(p: NodePaths): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${p.root}/containerd/root"
state = "${p.root}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = "${p.containerdSocket}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${p.root}/containerd/opt"

[${cri}]
  sandbox_image = "${PAUSE_IMAGE}"
  # Root here lacks CAP_SYS_RESOURCE: without this every sandbox fails with
  # "runc create failed: ... can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  # Pod netns files under our state dir, not /var/run/netns, so teardown finds them.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

[${cri}.cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "${p.cniConfDir}"
`;
}

/** cniConflist: a bridge with the pods' gateway (routes to the Services go through it) and portmap. */
export function cniConflist(p: NodePaths): string {
  return JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'bindy-bed',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: `${p.root}/cni-ipam`,
            ranges: [[{ subnet: NODE_NET.podCidr, gateway: NODE_NET.podGateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/** kubeletConfig is the KubeletConfiguration for cgroup v1 with the cgroupfs driver. */
export function kubeletConfig(p: NodePaths): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    cgroupDriver: 'cgroupfs',
    // cgroup v1 is in maintenance mode; 1.34 refuses it unless told otherwise.
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${p.containerdSocket}`,
    address: NODE_NET.nodeIp,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    // The apiserver calls the kubelet (logs, exec) without a client certificate here, so the
    // kubelet accepts anonymous calls. It listens only on the node's address on the bed-made veth.
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    podLogsDir: `${p.root}/pod-logs`,
    // No cluster DNS runs here; pods get no resolver rather than the host's.
    resolvConf: '',
    // Images cannot be pulled again: never garbage-collect them, never evict for disk.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    serializeImagePulls: false,
    // Graceful node shutdown needs systemd-logind; the bed stops pods itself.
    shutdownGracePeriod: '0s',
    shutdownGracePeriodCriticalPods: '0s',
    syncFrequency: '10s',
    nodeStatusReportFrequency: '10s',
  });
}

/**
 * proxyConfig is kube-proxy in iptables mode, told not to touch host-wide settings: conntrack
 * sizes and timeouts left alone (0), and no localhost NodePorts (which would set route_localnet).
 */
export function proxyConfig(kubeconfig: string): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    hostnameOverride: NODE_NAME,
    bindAddress: NODE_NET.nodeIp,
    clusterCIDR: NODE_NET.podCidr,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    iptables: { localhostNodePorts: false, minSyncPeriod: '0s', syncPeriod: '30s' },
  });
}
