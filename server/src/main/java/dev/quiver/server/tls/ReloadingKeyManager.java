package dev.quiver.server.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's certificate chain and private key from PEM files (the key PKCS#8), read again when
 * either file changes, as Kubernetes rewrites a mounted Secret when cert-manager renews it: new TLS
 * handshakes present the new certificate, connections already open keep theirs. The files are
 * looked at at most once a second, during a handshake. A pair that does not load (a half-written
 * rotation) keeps the previous one, with a warning.
 *
 * <p>Each load presents its key under a new alias, so that TLS engines caching key material by
 * alias take the new one. Thread-safe.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyManager.class);
  private static final long CHECK_NANOS = 1_000_000_000L;
  private static final char[] PASSWORD = "quiver".toCharArray();

  private final Path chain;
  private final Path key;
  private final AtomicInteger generation = new AtomicInteger();
  private volatile Loaded loaded;
  private volatile Loaded previous;
  private volatile long checkedAt = System.nanoTime();

  private record Loaded(
      X509ExtendedKeyManager manager, String alias, FileTime chainTime, FileTime keyTime) {}

  /**
   * Reads the pair now.
   *
   * @throws IllegalArgumentException naming the files if they do not hold a chain and its key
   */
  public ReloadingKeyManager(Path chain, Path key) {
    this.chain = requireNonNull(chain, "chain is null");
    this.key = requireNonNull(key, "key is null");
    try {
      this.loaded = load();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot read the TLS certificate chain " + chain + " or its key " + key + ": " + e, e);
    }
  }

  /** How many times the pair was read: 1 after construction, one more per reload. */
  public int loads() {
    return generation.get();
  }

  private Loaded current() {
    long now = System.nanoTime();
    if (now - checkedAt < CHECK_NANOS) {
      return loaded;
    }
    checkedAt = now;
    Loaded last = loaded;
    try {
      if (!Files.getLastModifiedTime(chain).equals(last.chainTime())
          || !Files.getLastModifiedTime(key).equals(last.keyTime())) {
        Loaded next = load();
        previous = last;
        loaded = next;
        LOG.info("Reloaded the TLS certificate from {} and {}", chain, key);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      LOG.warn("Keeping the current TLS certificate: cannot read {} or {}: {}", chain, key, e);
    }
    return loaded;
  }

  private Loaded load() throws IOException, GeneralSecurityException {
    FileTime chainTime = Files.getLastModifiedTime(chain);
    FileTime keyTime = Files.getLastModifiedTime(key);
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(chain)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certificates.isEmpty()) {
      throw new GeneralSecurityException(chain + " holds no certificate");
    }
    PrivateKey privateKey = privateKey(Files.readString(key, StandardCharsets.US_ASCII));
    String alias = "quiver-" + generation.incrementAndGet();
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(alias, privateKey, PASSWORD, certificates.toArray(new Certificate[0]));
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, PASSWORD);
    for (KeyManager manager : factory.getKeyManagers()) {
      if (manager instanceof X509ExtendedKeyManager x509) {
        return new Loaded(x509, alias, chainTime, keyTime);
      }
    }
    throw new GeneralSecurityException("No X.509 key manager for " + chain);
  }

  private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException("the key is not a PKCS#8 PEM (BEGIN PRIVATE KEY)");
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return current().manager().chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return current().manager().chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return current().manager().getServerAliases(keyType, issuers);
  }

  /** The pair {@code alias} was chosen from: the current one, or the one a reload replaced. */
  private X509ExtendedKeyManager holding(String alias) {
    Loaded before = previous;
    return before != null && before.alias().equals(alias) ? before.manager() : loaded.manager();
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return holding(alias).getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return holding(alias).getPrivateKey(alias);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return current().manager().getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return current().manager().chooseClientAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return current().manager().chooseEngineClientAlias(keyType, issuers, engine);
  }
}
