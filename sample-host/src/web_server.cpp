#include "web_server.hpp"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "http_server.hpp"
#include "serve/app.hpp"
#include "serve/chat_api.hpp"
#include "serve/secrets.hpp"
#include "wire.hpp"

namespace sample_host {

namespace sdk = visitor_sso::sdk;

namespace {

// The cookie MAC key: a file given by the operator (shared by every node
// that must accept the same cookies) must hold at least 256 bits.
constexpr std::size_t kMinSecretBytes = 32;

Failure SecretFailure(const std::string& message) {
  return Failure{kExitUsage, "cannot read a secret", sdk::MakeError("host.secret", message)};
}

}  // namespace

WebServer::WebServer(const sdk::LoadedPlugin& loaded, ServeOptions options)
    : loaded_(loaded), options_(std::move(options)) {}

std::optional<Failure> WebServer::Run() {
  serve::AppConfig config;
  if (!options_.sites.empty()) {
    config.sites.clear();
  } else {
    // Without --site: every website the plugin's configuration defines (a
    // platform file's sites; "default" for a single-site file).
    const std::vector<std::string> configured = loaded_.plugin->Describe().site_ids;
    if (!configured.empty()) config.sites = configured;
  }
  for (const std::string& site : options_.sites) {
    if (!IsValidSiteId(site)) {
      return UsageFailure(
          "--site needs a site ID (a lower-case letter or digit, then up to 62 "
          "lower-case letters, digits or '-'), got \"" +
          site + "\"");
    }
    if (std::find(config.sites.begin(), config.sites.end(), site) != config.sites.end()) {
      return UsageFailure("--site " + site + " given more than once");
    }
    config.sites.push_back(site);
  }
  for (const std::string& text : options_.website_origins) {
    auto origin = serve::ParseOrigin(text);
    if (!origin) {
      return UsageFailure("--website-origin needs an origin such as http://localhost:8080, got \"" +
                          text + "\"");
    }
    config.website_origins.push_back(*origin);
  }
  std::optional<serve::Origin> public_origin;
  if (!options_.public_origin.empty()) {
    public_origin = serve::ParseOrigin(options_.public_origin);
    if (!public_origin) {
      return UsageFailure("--public-origin needs an origin such as http://127.0.0.1:8080, got \"" +
                          options_.public_origin + "\"");
    }
  } else {
    const std::string host = options_.listen.substr(0, options_.listen.rfind(':'));
    if (host == "0.0.0.0" || host == "::" || host == "[::]") {
      return UsageFailure("--listen " + options_.listen +
                          " has no name browsers use: give --public-origin too");
    }
  }

  bool generated_password = false;
  std::string error;
  if (!options_.agent_password_file.empty()) {
    auto password = serve::ReadSecretFile(options_.agent_password_file, error);
    if (!password) return SecretFailure("--agent-password-file: " + error);
    config.agent_password = std::move(*password);
  } else {
    config.agent_password = serve::RandomHex(12);
    generated_password = true;
  }
  if (!options_.cookie_secret_file.empty()) {
    auto secret = serve::ReadSecretFile(options_.cookie_secret_file, error);
    if (!secret) return SecretFailure("--cookie-secret-file: " + error);
    if (secret->size() < kMinSecretBytes) {
      return SecretFailure("--cookie-secret-file: " + options_.cookie_secret_file + " holds " +
                           std::to_string(secret->size()) + " bytes; it needs at least " +
                           std::to_string(kMinSecretBytes) + " (e.g. openssl rand -hex 32)");
    }
    config.cookie_secret = std::move(*secret);
  } else {
    config.cookie_secret = serve::RandomHex(32);
  }

  // Started output goes to a pipe in tests and scripts/demo: a reader that
  // went away must not kill the server (EPIPE instead of SIGPIPE).
  std::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<serve::App> app;
  HttpLimits limits;
  limits.header_timeout = options_.header_timeout;
  limits.idle_timeout = options_.idle_timeout;
  limits.max_connections = options_.max_connections;
  HttpServer server(
      [&app](HttpRequest&& request, const ClientInfo& client, Respond respond) {
        app->Handle(std::move(request), serve::Client{client.remote_address}, std::move(respond));
      },
      limits);
  auto failure = server.Run(
      options_.listen,
      [&](const boost::asio::ip::tcp::endpoint& bound) {
        const std::string listening =
            "http://" + bound.address().to_string() + ":" + std::to_string(bound.port());
        config.public_origin = public_origin ? *public_origin : *serve::ParseOrigin(listening);
        const std::string origin = config.public_origin.Serialize();
        const std::string password = config.agent_password;
        std::vector<std::string> websites;
        for (const auto& website : config.website_origins) websites.push_back(website.Serialize());
        const std::vector<std::string> sites = config.sites;
        app = std::make_unique<serve::App>(loaded_, std::move(config));
        // The first line is a contract: scripts and tests wait for it.
        std::cout << "listening on " << listening << "\n";
        if (generated_password) std::cout << "agent password: " << password << "\n";
        for (const std::string& site : sites) {
          // The default site keeps its lines of a single-site host.
          const std::string base = serve::ChatApi::BasePath(site);
          const std::string of_site = site == kDefaultSite ? "" : " of site " + site;
          std::cout << "visitor website" << of_site << ": " << origin << base << "/  " << origin
                    << base << "/?embed=1\n";
          for (const auto& website : websites) {
            std::cout << "visitor website" << of_site << " on another site: " << website << base
                      << "/?embed=1\n";
          }
        }
        std::cout << "agent console: " << origin << "/agent  (user agent)\n";
        std::cout << "admin: " << origin << "/admin" << std::endl;
      },
      [this] {
        // kill -HUP: the plugin re-reads its configuration (sites added, changed
        // or removed; a broken site file keeps that site's previous settings).
        const visitor_sso::sdk::Status reloaded = loaded_.plugin->Reload();
        if (reloaded) {
          std::cerr << "reload: ok" << std::endl;
        } else {
          std::cerr << "reload: " << reloaded.error().message << " [" << reloaded.error().code
                    << "]" << std::endl;
        }
      });
  // Every connection is closed now: waiting requests are answered into the
  // void, and the App (its timer thread) goes before the transport.
  if (app) app->Shutdown();
  app.reset();
  return failure;
}

}  // namespace sample_host
