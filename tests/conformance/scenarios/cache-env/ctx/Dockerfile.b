FROM busybox
RUN echo before
ENV LEVEL=2
RUN echo "level $LEVEL"
