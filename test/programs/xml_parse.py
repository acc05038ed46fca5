"""Parse a registry-like XML file with xml.dom.minidom, between two VmData markers.

usage: python3 xml_parse.py FILE

Prints MARK <pid> before|after <kB> like the C programs. VmData is read with os.open/os.read
(one read(2) of the whole file), and only parsed after the read, so the number printed is the one
the kernel computed during that read. Everything the parse needs is imported and warmed up before
the first marker, so the phase holds only the parse of FILE.
"""
import os
import sys
import xml.dom.minidom
import xml.dom.expatbuilder  # noqa: F401  (minidom.parse imports it lazily)
import xml.parsers.expat  # noqa: F401


def vmdata_kb():
    fd = os.open('/proc/self/status', os.O_RDONLY)
    try:
        data = os.read(fd, 65536)
    finally:
        os.close(fd)
    for line in data.split(b'\n'):
        if line.startswith(b'VmData:'):
            return int(line.split()[1])
    raise SystemExit('no VmData line')


def mark(label):
    kb = vmdata_kb()
    os.write(1, f'MARK {os.getpid()} {label} {kb}\n'.encode())


def main():
    path = sys.argv[1]
    xml.dom.minidom.parseString('<registry><types><type name="warm"/></types></registry>').unlink()
    mark('before')
    doc = xml.dom.minidom.parse(path)
    mark('after')
    os.write(1, f'NODES {os.getpid()} {len(doc.getElementsByTagName("command"))}\n'.encode())


main()
