#include "support/metadata_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace vsso::testing {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 302:
      return "Found";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    default:
      return "Status";
  }
}

void WriteAll(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the client went away (e.g. it stopped at its size cap)
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

MetadataServer::MetadataServer() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 16) != 0) {
    throw std::runtime_error("bind/listen: " + std::string(std::strerror(errno)));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  thread_ = std::thread([this] { Loop(); });
}

MetadataServer::~MetadataServer() {
  (void)!::write(stop_pipe_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

std::string MetadataServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void MetadataServer::Set(Answer answer) {
  std::lock_guard lock(mutex_);
  answer_ = std::move(answer);
}

void MetadataServer::Loop() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    // Reads the request head (no request here has a body).
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
      pollfd pfd{client, POLLIN, 0};
      if (::poll(&pfd, 1, 2000) <= 0) break;
      const ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    ++requests_;
    Answer answer;
    {
      std::lock_guard lock(mutex_);
      answer = answer_;
    }
    std::string head = "HTTP/1.1 " + std::to_string(answer.status) + " " + Reason(answer.status) +
                       "\r\nContent-Type: " + answer.content_type + "\r\nConnection: close\r\n";
    if (!answer.without_length) {
      head += "Content-Length: " + std::to_string(answer.body.size()) + "\r\n";
    }
    if (!answer.location.empty()) head += "Location: " + answer.location + "\r\n";
    WriteAll(client, head + "\r\n" + answer.body);
    ::shutdown(client, SHUT_WR);
    ::close(client);
  }
}

std::string MetadataDocument::Xml() const {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
      "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" ID=\"" +
      id + "\" entityID=\"" + entity_id + "\"";
  if (!valid_until.empty()) xml += " validUntil=\"" + valid_until + "\"";
  if (!cache_duration.empty()) xml += " cacheDuration=\"" + cache_duration + "\"";
  xml +=
      ">\n  <md:IDPSSODescriptor "
      "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n";
  for (const std::string& cert : certificates_base64) {
    xml += "    <md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
           cert + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n";
  }
  xml +=
      "    <md:SingleSignOnService "
      "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"" +
      sso_url +
      "\"/>\n"
      "  </md:IDPSSODescriptor>\n"
      "</md:EntityDescriptor>\n";
  return xml;
}

}  // namespace vsso::testing
