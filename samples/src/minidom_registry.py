"""Parse a registry-like XML file with xml.dom.minidom, as the seed story's daemon did.

Usage: python3 minidom_registry.py REGISTRY.xml
Writes REGISTRY.xml first if it does not exist (about 120 kB of plugin entries).
"""
import os
import sys
import xml.dom.minidom

path = sys.argv[1]
if not os.path.exists(path):
    with open(path, "w") as f:
        f.write("<registry>\n")
        for i in range(600):
            f.write(f'  <plugin name="plugin-{i}" type="producer" version="0.5.{i % 10}">\n')
            f.write(f'    <property name="location" type="string" value="/usr/lib/flumotion/p{i}"/>\n')
            f.write(f'    <entry type="component" location="p{i}.py" function="createComponent"/>\n')
            f.write("  </plugin>\n")
        f.write("</registry>\n")

doc = xml.dom.minidom.parse(path)
print(len(doc.getElementsByTagName("plugin")), "plugins")
