# kore-board's container image. Nothing is pulled from a registry: `npm run image` (image/build-image.mjs) puts the
# single executable (dist/kore-board) and a minimal Debian root made from Debian's packages (mmdebstrap) in the build
# context, then runs `buildah bud` (or any builder) on this file.

# Stage 1: the Debian root has a shell and ldd, to lay out the executable and exactly the libraries it links.
FROM scratch AS gather
ADD debian-root.tar /
COPY kore-board /rootfs/kore-board
RUN set -eu; \
    for lib in $(ldd /rootfs/kore-board | grep -o '/[^ ]*'); do \
      mkdir -p "/rootfs$(dirname "$lib")"; cp -L "$lib" "/rootfs$lib"; \
    done; \
    mkdir -p /rootfs/etc /rootfs/data /rootfs/tmp; \
    echo 'nonroot:x:65532:65532:kore-board:/data:/sbin/nologin' > /rootfs/etc/passwd; \
    echo 'nonroot:x:65532:' > /rootfs/etc/group; \
    chown 65532:65532 /rootfs/data; \
    chmod 1777 /rootfs/tmp

# Stage 2: the runtime — the executable and its libraries, nothing else (no shell, no package manager). It writes
# only to /data (its state) and /tmp, so the root filesystem can be mounted read-only.
FROM scratch
COPY --from=gather /rootfs/ /
USER 65532:65532
ENV HOME=/data KORE_DATA_DIR=/data
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=5s CMD ["/kore-board", "healthcheck", "http://127.0.0.1:3001/healthz"]
ENTRYPOINT ["/kore-board"]
CMD ["--listen=0.0.0.0:3001"]
