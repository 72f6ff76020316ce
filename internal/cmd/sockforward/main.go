// Command sockforward accepts TCP connections on one address and forwards each, byte for byte, to a unix
// socket:
//
//	sockforward -listen 127.0.0.1:5000 -to /tmp/dockersdk-registry/registry.sock
//
// The test registry of scripts/registry.sh listens on a unix socket. That script runs one sockforward in the
// host's network namespace, so that tests reach the registry at 127.0.0.1:5000, and one inside each test daemon's
// network namespace (under nsenter), so that the daemon reaches it at the same address; the socket file is the
// one thing the namespaces share. Half-closes pass through in both directions. SIGTERM or SIGINT stops it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "", "TCP address to listen on, e.g. 127.0.0.1:5000")
	to := flag.String("to", "", "unix socket to forward each connection to")
	flag.Parse()
	if *listen == "" || *to == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: sockforward -listen HOST:PORT -to /path/to/socket")
		os.Exit(2)
	}
	log.SetPrefix("sockforward: ")
	log.SetFlags(log.LstdFlags)
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-sig
		log.Printf("%v: stopping", s)
		l.Close()
	}()
	log.Printf("forwarding %s to unix:%s", l.Addr(), *to)
	if err := serve(l, *to); err != nil {
		log.Fatal(err)
	}
}

// serve accepts connections on l until it is closed (then it returns nil) and forwards each to the unix socket
// at path.
func serve(l net.Listener, path string) error {
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			// Out of file descriptors and the like: wait rather than spin.
			log.Printf("accept: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go forward(c, path)
	}
}

// halfCloser is a connection whose write side closes on its own (TCP and unix stream connections).
type halfCloser interface {
	net.Conn
	CloseWrite() error
}

// forward copies c to the unix socket at path and back until both directions end, passing each end of input
// on as a half-close; an error in either direction closes both.
func forward(c net.Conn, path string) {
	defer c.Close()
	u, err := net.DialTimeout("unix", path, 10*time.Second)
	if err != nil {
		log.Printf("%s: %v", c.RemoteAddr(), err)
		return
	}
	defer u.Close()
	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		_, err := io.Copy(dst, src)
		if hc, ok := dst.(halfCloser); ok && err == nil {
			hc.CloseWrite()
			return
		}
		// A reset or a failed write: end both directions at once.
		c.Close()
		u.Close()
	}
	wg.Add(2)
	go pipe(u, c)
	go pipe(c, u)
	wg.Wait()
}
