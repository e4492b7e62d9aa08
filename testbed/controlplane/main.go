// Command controlplane is the test bed's multi-call binary: one build gives a
// real etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet
// and kube-proxy, so tests talk to the same code a cluster runs, and the
// kubectl of the same version (the HA guide's commands run with it).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/component-base/cli"
	// The log format and metrics registrations that cmd/kubelet imports.
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectl "k8s.io/kubectl/pkg/cmd"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

const usage = "usage: controlplane etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|kubectl [flags]"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	role, args := os.Args[1], os.Args[2:]
	if role == "etcd" {
		etcdmain.Main(append([]string{"etcd"}, args...))
		return
	}
	cmd := command(role)
	if cmd == nil {
		fmt.Fprintf(os.Stderr, "unknown role %q\n%s\n", role, usage)
		os.Exit(2)
	}
	cmd.SetArgs(args)
	if role == "kubectl" {
		// As cmd/kubectl does: kubectl prints its own errors.
		if err := cli.RunNoErrOutput(cmd); err != nil {
			os.Exit(1)
		}
		return
	}
	os.Exit(cli.Run(cmd))
}

// command returns the cobra command of a Kubernetes component, or nil.
func command(role string) *cobra.Command {
	switch role {
	case "kube-apiserver":
		return apiserver.NewAPIServerCommand()
	case "kube-controller-manager":
		return controllermanager.NewControllerManagerCommand()
	case "kube-scheduler":
		return scheduler.NewSchedulerCommand()
	case "kubelet":
		return kubelet.NewKubeletCommand(context.Background())
	case "kube-proxy":
		return proxy.NewProxyCommand()
	case "kubectl":
		return kubectl.NewDefaultKubectlCommand()
	}
	return nil
}
