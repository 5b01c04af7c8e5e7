uname -r
modprobe -a 8021q bonding dummy bridge veth && echo modules-ok
ip netns add x && ip -n x link add d0 type dummy && ip -n x link add link d0 name d0.20 type vlan id 20 && ip -n x -d link show d0.20 | grep -o "vlan protocol 802.1Q id 20"
id; ls /work/main/.build/debug/ | head -3
exit 7
