package dev.quiver.server;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test certificate authority and a node certificate it signed, for 127.0.0.1 and localhost,
 * written as the PEM files a node and its clients are configured with, and as a PKCS#12 trust store
 * for the JDBC driver.
 *
 * @param ca the CA certificate (PEM): what clients and peers trust
 * @param chain the node's certificate chain (PEM)
 * @param key the node's private key (PKCS#8 PEM)
 * @param trustStore the CA certificate in a PKCS#12 store, password {@link #PASSWORD}
 */
record TestCertificates(Path ca, Path chain, Path key, Path trustStore) {
  static final String PASSWORD = "changeit";

  static TestCertificates create(Path dir) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair caKeys = generator.generateKeyPair();
      X500Name caName = new X500Name("CN=Quiver test CA");
      X509Certificate ca =
          sign(
              new JcaX509v3CertificateBuilder(
                      caName, serial(), now(), later(), caName, caKeys.getPublic())
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
              caKeys);
      KeyPair nodeKeys = generator.generateKeyPair();
      X509Certificate node =
          sign(
              new JcaX509v3CertificateBuilder(
                      caName,
                      serial(),
                      now(),
                      later(),
                      new X500Name("CN=quiver-node"),
                      nodeKeys.getPublic())
                  .addExtension(
                      Extension.subjectAlternativeName,
                      false,
                      new GeneralNames(
                          new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.dNSName, "localhost")
                          })),
              caKeys);
      Path caFile = dir.resolve("ca.pem");
      Path chainFile = dir.resolve("node.pem");
      Path keyFile = dir.resolve("node-key.pem");
      Files.writeString(caFile, pem(ca));
      Files.writeString(chainFile, pem(node) + pem(ca));
      Files.writeString(keyFile, pem(new JcaPKCS8Generator(nodeKeys.getPrivate(), null)));
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("quiver-ca", ca);
      Path trustStore = dir.resolve("trust.p12");
      try (var out = Files.newOutputStream(trustStore)) {
        store.store(out, PASSWORD.toCharArray());
      }
      return new TestCertificates(caFile, chainFile, keyFile, trustStore);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }

  /**
   * Three nodes serving {@code file} each, over TLS with these certificates, with extra {@code
   * properties} (a gather threshold of 16 KB, so that aggregations shuffle).
   */
  TestCluster cluster(Path file, Map<String, Object> properties) {
    List<Map<String, String>> datasets = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      datasets.add(Map.of("t", file.toString()));
    }
    Map<String, Object> all = new LinkedHashMap<>(properties);
    all.put("quiver.tls-cert-chain", chain.toString());
    all.put("quiver.tls-private-key", key.toString());
    all.put("quiver.tls-trusted-certificates", ca.toString());
    all.put("quiver.gather-threshold", "16KB");
    return TestCluster.start(datasets, all);
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(System.nanoTime());
  }

  private static Date now() {
    return Date.from(Instant.now().minus(Duration.ofMinutes(5)));
  }

  private static Date later() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }
}
