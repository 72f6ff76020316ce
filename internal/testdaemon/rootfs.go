package testdaemon

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"time"
)

// BusyboxPath is the static busybox (Debian package busybox-static) that BusyboxRootfs puts in the image.
const BusyboxPath = "/bin/busybox"

// busyboxApplets are the commands BusyboxRootfs links to busybox in /bin.
var busyboxApplets = []string{
	"sh", "cat", "echo", "sleep", "ls", "true", "false", "env", "id", "top",
	"wc", "head", "yes", "dd", "printf", "tee",
}

// rootfsTime is the modification time of every entry, so that the archive is the same bytes every time.
var rootfsTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// BusyboxRootfs returns a tar archive of a minimal root file system: /bin/busybox (copied from BusyboxPath, which
// must be statically linked) with sh, cat, echo, sleep, ls, true, false, env, id, top, wc, head, yes, dd, printf
// and tee as symbolic links to it in /bin; /etc/passwd and /etc/group holding root; and empty /dev, /proc, /sys,
// /root and /tmp (mode 1777). Tests import it as the image busybox:latest (ImageCreate with fromSrc "-").
// Every entry is owned by root and dated 2024-01-01, so the archive is identical from call to call.
func BusyboxRootfs() ([]byte, error) {
	bin, err := readStaticBusybox(BusyboxPath)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode,
			Uname: "root", Gname: "root", ModTime: rootfsTime, Format: tar.FormatUSTAR})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)),
			Uname: "root", Gname: "root", ModTime: rootfsTime, Format: tar.FormatUSTAR}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	link := func(name, target string) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777,
			Uname: "root", Gname: "root", ModTime: rootfsTime, Format: tar.FormatUSTAR})
	}

	steps := []func() error{
		func() error { return dir("bin", 0o755) },
		func() error { return file("bin/busybox", 0o755, bin) },
	}
	for _, a := range busyboxApplets {
		steps = append(steps, func() error { return link("bin/"+a, "busybox") })
	}
	steps = append(steps,
		func() error { return dir("dev", 0o755) },
		func() error { return dir("etc", 0o755) },
		func() error { return file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n")) },
		func() error { return file("etc/group", 0o644, []byte("root:x:0:\n")) },
		func() error { return dir("proc", 0o555) },
		func() error { return dir("root", 0o700) },
		func() error { return dir("sys", 0o555) },
		func() error { return dir("tmp", 0o1777) },
		tw.Close,
	)
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("testdaemon: building the busybox rootfs: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// readStaticBusybox reads the busybox binary at path and checks that it needs no dynamic loader, which a bare
// root file system does not have.
func readStaticBusybox(path string) ([]byte, error) {
	hint := "install the Debian package busybox-static (scripts/testdaemon.sh install)"
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("testdaemon: %w; %s", err, hint)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("testdaemon: %s is not an ELF binary: %w; %s", path, err, hint)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return nil, fmt.Errorf("testdaemon: %s is dynamically linked and would not run in a bare root file system; %s", path, hint)
		}
	}
	return data, nil
}
