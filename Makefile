# The two entry points of the README: `make run` (install, build, run the examples) and
# `make test` (install, build, run every C and Python test).
JOBS ?= 2
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: deps lib python run test test-c test-c-asan test-install test-python bench clean

deps:
	scripts/install_deps.sh

lib: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
	cmake --build build -j$(JOBS)

python: deps
	$(PY) -m pip install -q --no-build-isolation .

run: lib python
	@echo "== Python: linear regression (examples/python/linear_regression.py)"
	$(PY) examples/python/linear_regression.py
	@echo "== C: linear regression linking libmlxc (examples/c/linear_regression.c)"
	build/example_linear_regression
	@echo "== Python: the seed's CNN on Fashion-MNIST, 3 epochs (examples/python/cnn_fashion_mnist.py)"
	$(PY) examples/python/cnn_fashion_mnist.py --epochs 3 --plot build/fashion_mnist_curves.png

test-c: lib
	cd build && ctest --output-on-failure

# The C tests again under AddressSanitizer and UBSan (leaks, bad reads, injected failures).
test-c-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMLXC_SANITIZE=ON -DMLXC_BUILD_EXAMPLES=OFF
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure

# Install to a scratch prefix; build the C example through pkg-config and find_package.
test-install: lib
	rm -rf build/prefix build/install-check
	cmake --install build --prefix build/prefix
	cc examples/c/linear_regression.c -o build/lr-pkgconfig \
	  $$(PKG_CONFIG_PATH=build/prefix/lib/pkgconfig pkg-config --cflags --libs mlxc) -lm \
	  -Wl,-rpath,$(CURDIR)/build/prefix/lib
	build/lr-pkgconfig > /dev/null
	cmake -S tests/install -B build/install-check -DCMAKE_PREFIX_PATH=$(CURDIR)/build/prefix
	cmake --build build/install-check
	build/install-check/linear_regression > /dev/null
	@echo "install check: pkg-config and find_package(mlxc) builds run"

test-python: python
	$(PY) -m pytest tests/python -q

test: test-c test-c-asan test-install test-python

bench: python
	scripts/bench.sh

clean:
	rm -rf build build-asan $(VENV)
