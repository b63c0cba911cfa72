"""DNS stubbed at the boundary (socket.getaddrinfo), for tests whose code resolves names users give."""

import ipaddress
import socket


class Resolver:
    """DNS for the tests, stubbed at the boundary (socket.getaddrinfo): a name in `names` answers
    its addresses, IP literals and `localhost` resolve as always, any other name does not resolve — so no
    test ever sends a query or a request off this machine. `asked` lists the names looked up."""

    def __init__(self, real):
        self.real, self.names, self.asked = real, {}, []

    def __call__(self, host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.asked.append(name)
        if name in self.names:
            family = kwargs.get("family") or (args[0] if args else 0)
            answers = []
            for address in self.names[name]:
                ip = ipaddress.ip_address(address)
                inet = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
                if family in (0, socket.AF_UNSPEC, inet):
                    sockaddr = (address, int(port or 0)) if ip.version == 4 else (address, int(port or 0), 0, 0)
                    answers.append((inet, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
            return answers
        try:
            ipaddress.ip_address(name.split("%")[0])
        except ValueError:
            if name != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, f"{name}: not resolvable in the tests") from None
        return self.real(host, port, *args, **kwargs)
