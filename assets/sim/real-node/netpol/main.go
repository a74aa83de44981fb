// Command kube-network-policies enforces NetworkPolicies on the sim cluster's real node: it is
// sigs.k8s.io/kube-network-policies' controller (nftables sends the first packet of each
// connection of a pod that a policy selects to an nfqueue, and the controller accepts or drops
// it) built from the Go module, with a main of our own because the upstream one (v0.8.0) can
// only use an in-cluster service account and always names its table "kube-network-policies".
// The sim runs it as a host process next to the kubelet (scripts/sim-real-node), one per
// cluster, each with its own kubeconfig, node name, nftables table and nfqueue number, so two
// real-node clusters on one machine never touch each other's rules.
//
// With --cleanup it only deletes its table and exits (for `sim down` after a hard kill).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/nftables"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	"sigs.k8s.io/kube-network-policies/pkg/networkpolicy"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster whose NetworkPolicies are enforced (required)")
	node := flag.String("hostname-override", "", "name of the Node whose pods are enforced here (required)")
	table := flag.String("nftables-table", "", "name of the inet nftables table this process owns (required; one per cluster)")
	queue := flag.Int("nfqueue-id", 0, "nfqueue number the table sends packets to (required; one per cluster, 1-65535)")
	failOpen := flag.Bool("fail-open", false, "accept the packets of policy-selected pods while this process is not running (default: drop them)")
	cleanup := flag.Bool("cleanup", false, "only delete the nftables table and exit")
	klog.InitFlags(flag.CommandLine)
	flag.Parse()

	if *table == "" {
		fail("--nftables-table is required")
	}
	if *cleanup {
		if err := deleteTable(*table); err != nil {
			fail(err.Error())
		}
		return
	}
	if *kubeconfig == "" || *node == "" || *queue < 1 || *queue > 65535 {
		fail("--kubeconfig, --hostname-override and --nfqueue-id (1-65535) are required")
	}
	if err := run(*kubeconfig, networkpolicy.Config{
		FailOpen:    *failOpen,
		QueueID:     *queue,
		NodeName:    *node,
		NFTableName: *table,
		// Kernels before 6.12 race DNS packets in conntrack; the workaround is harmless later.
		NetfilterBug1766Fix: true,
		// NRI stays on: with it off, v0.8.0 dereferences its nil NRI plugin for an unknown
		// address. containerd 1.6 has no NRI socket, so the plugin logs one line and stops.
	}); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintf(os.Stderr, "kube-network-policies: %s\n", msg)
	os.Exit(1)
}

func run(kubeconfig string, cfg networkpolicy.Config) error {
	rest, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("reading %s: %w", kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(rest)
	if err != nil {
		return err
	}
	// upstream's main stops on SIGINT only; `sim down` sends SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	factory := informers.NewSharedInformerFactory(client, 0)
	controller, err := networkpolicy.NewController(client,
		factory.Networking().V1().NetworkPolicies(),
		factory.Core().V1().Namespaces(),
		factory.Core().V1().Pods(),
		nil, nil, nil, nil, // no (Baseline)AdminNetworkPolicy
		cfg)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- controller.Run(ctx) }()
	factory.Start(ctx.Done())
	klog.InfoS("enforcing NetworkPolicies", "node", cfg.NodeName, "table", cfg.NFTableName, "nfqueue", cfg.QueueID)

	select {
	case err = <-done: // the controller gave up (no nfqueue, no cache sync)
		return err
	case <-ctx.Done():
	}
	// Run deletes the table on its way out; wait for that, briefly.
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		return deleteTable(cfg.NFTableName)
	}
	return nil
}

// deleteTable removes the inet table NAME if it exists, and says which.
func deleteTable(name string) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("opening nftables: %w", err)
	}
	tables, err := conn.ListTablesOfFamily(nftables.TableFamilyINet)
	if err != nil {
		return fmt.Errorf("listing nftables tables: %w", err)
	}
	for _, t := range tables {
		if t.Name == name {
			conn.DelTable(t)
			if err := conn.Flush(); err != nil {
				return fmt.Errorf("deleting nftables table %s: %w", name, err)
			}
			fmt.Printf("deleted nftables table inet %s\n", name)
			return nil
		}
	}
	fmt.Printf("no nftables table inet %s\n", name)
	return nil
}
