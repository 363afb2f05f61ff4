// A loopback HTTP/1.1 server for IdP metadata tests (issue 14): it answers
// every request with the one answer set last (status, body, Location), over
// real sockets on 127.0.0.1 and a port the kernel picks, so the plugin's
// libcurl client is exercised as it would be against an IdP.
//
// Threading: one accept thread; Set and requests() from any thread.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vsso::testing {

class MetadataServer {
 public:
  struct Answer {
    int status = 200;
    std::string body;
    std::string location;  ///< sent as Location when non-empty
    std::string content_type = "application/samlmetadata+xml";
    /// No Content-Length: the body ends when the connection closes, so a
    /// client learns its size only while reading.
    bool without_length = false;
  };

  /// Listens on 127.0.0.1:0. Throws std::runtime_error if it cannot.
  MetadataServer();
  ~MetadataServer();
  MetadataServer(const MetadataServer&) = delete;
  MetadataServer& operator=(const MetadataServer&) = delete;

  /// http://127.0.0.1:<port><path>
  std::string Url(const std::string& path = "/idp/metadata.xml") const;
  int port() const { return port_; }
  void Set(Answer answer);
  void Set(const std::string& body) {
    Set(Answer{200, body, "", "application/samlmetadata+xml", false});
  }
  int requests() const { return requests_.load(); }

 private:
  void Loop();

  int listener_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::mutex mutex_;
  Answer answer_;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

/// An IdP EntityDescriptor (SAML Metadata 2.3.2, 2.4.3) for `entity_id`
/// with one signing KeyDescriptor per certificate (base64 DER), the
/// HTTP-Redirect SingleSignOnService, and optional validUntil /
/// cacheDuration on the root. Unsigned; sign with SignXmlString(xml, id).
struct MetadataDocument {
  std::string id = "_metadata-1";
  std::string entity_id;
  std::vector<std::string> certificates_base64;
  std::string sso_url = "https://idp.example.org/saml2/idp/SSOService.php";
  std::string valid_until;     ///< xs:dateTime, empty: none
  std::string cache_duration;  ///< xs:duration, empty: none
  std::string Xml() const;
};

}  // namespace vsso::testing
