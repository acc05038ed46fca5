"""Parse a registry-like XML file with xml.dom.minidom between two VmData readings, for heaptrace run.

usage: python3 registry_run.py FILE

Prints `MARK <pid> before|after <VmData kB>`. Built so that the only memory the process gains
between the two readings is charged to FILE (SPEC §2): every buffer is allocated before FILE is
opened, /proc/self/status stays open and is re-read with preadv into a ready buffer (a read that
allocates nothing), and FILE is read with readv into a ready buffer, then parsed. So the report's
net charge to FILE equals the kernel's VmData change between the readings, to the byte.
"""
import os
import sys
import xml.dom.minidom
import xml.dom.expatbuilder  # noqa: F401  (minidom.parse imports it lazily)
import xml.parsers.expat  # noqa: F401


def vmdata_kb(buf, n):
    for line in bytes(buf[:n]).split(b'\n'):
        if line.startswith(b'VmData:'):
            return int(line.split()[1])
    raise SystemExit('no VmData line')


def main():
    path = sys.argv[1]
    xml.dom.minidom.parseString(b'<registry><types><type name="warm"/></types></registry>').unlink()
    status = os.open('/proc/self/status', os.O_RDONLY)
    before, after = bytearray(65536), bytearray(65536)
    data = bytearray(os.stat(path).st_size)
    before_iov, after_iov, data_iov = [before], [after], [data]
    fd = os.open(path, os.O_RDONLY)
    n_before = os.preadv(status, before_iov, 0)
    got = os.readv(fd, data_iov)
    doc = xml.dom.minidom.parseString(data)
    n_after = os.preadv(status, after_iov, 0)
    if got != len(data):
        raise SystemExit(f'short read: {got} of {len(data)}')
    pid = os.getpid()
    os.write(1, f'MARK {pid} before {vmdata_kb(before, n_before)}\n'.encode())
    os.write(1, f'MARK {pid} after {vmdata_kb(after, n_after)}\n'.encode())
    os.write(1, f'NODES {pid} {len(doc.getElementsByTagName("command"))}\n'.encode())


main()
