package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FDStats are one process's open file descriptors and TCP connections,
// from /proc.
type FDStats struct {
	// FDs is the number of entries in /proc/<pid>/fd.
	FDs int
	// TCP is the number of ESTABLISHED TCP connections whose socket the
	// process holds; Broker those of them whose remote port is a broker's.
	TCP, Broker int
}

// tcpEstablished is TCP_ESTABLISHED in the st column of /proc/net/tcp.
const tcpEstablished = 0x01

// ReadFDStats counts pid's file descriptors, and its established TCP
// connections: the socket inodes behind /proc/<pid>/fd joined with the rows
// of /proc/<pid>/net/tcp and tcp6 (its network namespace's tables). A
// connection counts toward Broker when its remote port is in brokerPorts.
func ReadFDStats(pid int, brokerPorts []int) (FDStats, error) {
	inodes, fds, err := socketInodes(pid)
	if err != nil {
		return FDStats{}, err
	}
	st := FDStats{FDs: fds}
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if errors.Is(err, fs.ErrNotExist) && table == "tcp6" {
			continue // no IPv6 in this kernel
		}
		if err != nil {
			return FDStats{}, fmt.Errorf("bench: read proc net %s: %w", table, err)
		}
		for _, c := range parseTCPTable(b) {
			if c.state != tcpEstablished || !inodes[c.inode] {
				continue
			}
			st.TCP++
			if slices.Contains(brokerPorts, c.remotePort) {
				st.Broker++
			}
		}
	}
	return st, nil
}

// socketInodes returns the inodes of the sockets among pid's file
// descriptors and how many descriptors it has. A descriptor closed while
// it is read is skipped.
func socketInodes(pid int) (map[uint64]bool, int, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, fmt.Errorf("bench: read proc fds: %w", err)
	}
	inodes := map[uint64]bool{}
	for _, e := range entries {
		link, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if ino, ok := parseSocketLink(link); ok {
			inodes[ino] = true
		}
	}
	return inodes, len(entries), nil
}

// parseSocketLink reads the inode of an fd link "socket:[12345]".
func parseSocketLink(link string) (uint64, bool) {
	rest, ok := strings.CutPrefix(link, "socket:[")
	rest, closed := strings.CutSuffix(rest, "]")
	if !ok || !closed {
		return 0, false
	}
	ino, err := strconv.ParseUint(rest, 10, 64)
	return ino, err == nil
}

// tcpConn is one row of /proc/net/tcp or tcp6.
type tcpConn struct {
	remotePort int
	state      int
	inode      uint64
}

// parseTCPTable reads the rows of /proc/net/tcp or tcp6: remote address
// (hex address, colon, hex port) in column 3, state in 4, inode in 10.
// The header and rows it cannot read are skipped.
func parseTCPTable(b []byte) []tcpConn {
	var out []tcpConn
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if c, ok := parseTCPRow(sc.Text()); ok {
			out = append(out, c)
		}
	}
	return out
}

func parseTCPRow(line string) (tcpConn, bool) {
	f := strings.Fields(line)
	if len(f) < 10 || !strings.HasSuffix(f[0], ":") {
		return tcpConn{}, false
	}
	_, portHex, ok := strings.Cut(f[2], ":")
	port, perr := strconv.ParseUint(portHex, 16, 16)
	state, serr := strconv.ParseUint(f[3], 16, 8)
	inode, ierr := strconv.ParseUint(f[9], 10, 64)
	if !ok || perr != nil || serr != nil || ierr != nil {
		return tcpConn{}, false
	}
	return tcpConn{remotePort: int(port), state: int(state), inode: inode}, true
}

// brokerPorts are the ports of a bootstrap list "host:port"; entries
// without a readable port are left out.
func brokerPorts(brokers []string) []int {
	var ports []int
	for _, b := range brokers {
		i := strings.LastIndexByte(b, ':')
		if p, err := strconv.Atoi(b[i+1:]); i >= 0 && err == nil {
			ports = append(ports, p)
		}
	}
	return ports
}

// ReadFDLimit reads pid's soft limit on open files from /proc/<pid>/limits
// (0 for unlimited).
func ReadFDLimit(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0, fmt.Errorf("bench: read proc limits: %w", err)
	}
	return parseFDLimit(b)
}

// parseFDLimit reads the soft limit of the "Max open files" line.
func parseFDLimit(limits []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(limits))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "Max open files")
		if f := strings.Fields(rest); ok && len(f) > 0 {
			if f[0] == "unlimited" {
				return 0, nil
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, errors.New("bench: proc limits: no \"Max open files\" line")
}
