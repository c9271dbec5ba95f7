package dev.quiver.client.cli;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The command line's logging: warnings and errors of the libraries it uses (Arrow, Netty) on
 * standard error as {@code WARN Logger - message}, nothing below. An SLF4J provider that {@link
 * #install()} names in {@code slf4j.provider} before the first logger is made. It is not registered
 * as a service, so a program with the client library on its class path keeps its own logging; and
 * it takes a handful of classes where logback, with its XML configuration, cost each command about
 * 0.1 s.
 */
public final class StderrLogging implements SLF4JServiceProvider {
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final NOPMDCAdapter mdc = new NOPMDCAdapter();

  /**
   * Makes SLF4J use this provider, quietly (SLF4J otherwise reports the choice on stderr), unless
   * the JVM was told another.
   */
  static void install() {
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", StderrLogging.class.getName());
      if (System.getProperty("slf4j.internal.verbosity") == null) {
        System.setProperty("slf4j.internal.verbosity", "WARN");
      }
    }
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return StderrLogger::new;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  /** Prints warnings and errors with the last part of the logger's name. */
  private static final class StderrLogger extends LegacyAbstractLogger {
    private final String shortName;

    StderrLogger(String name) {
      this.name = name;
      this.shortName = name.substring(name.lastIndexOf('.') + 1);
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return false;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      System.err.println(
          level + " " + shortName + " - " + MessageFormatter.basicArrayFormat(pattern, arguments));
      if (throwable != null) {
        throwable.printStackTrace(System.err);
      }
    }
  }
}
