"""The offline plan: run the program under the SDK's mocks and render what it declares."""
