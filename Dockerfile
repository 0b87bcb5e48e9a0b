# syntax=docker/dockerfile:1
# arb-daemon: build with `docker build -t arb-daemon .`; run with docker-compose.yml.

FROM rust:1.95-slim AS builder
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p arb-daemon \
    && install -m 0755 target/release/arb-daemon /usr/local/bin/arb-daemon

FROM debian:trixie-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin arb \
    && mkdir -p /app/logs \
    && chown -R arb:arb /app
COPY --from=builder /usr/local/bin/arb-daemon /usr/local/bin/arb-daemon
USER arb
WORKDIR /app
# Listen on all interfaces inside the container; compose publishes the port on loopback only.
ENV LOG_DIR=/app/logs \
    METRICS_ADDR=0.0.0.0:9464
EXPOSE 9464
# SIGTERM stops new executions and lets in-flight ones finish hedging.
STOPSIGNAL SIGTERM
ENTRYPOINT ["arb-daemon"]
CMD ["run"]
