from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello from a Python container!\n"


if __name__ == "__main__":
    print("Serving on port 5000", flush=True)
    app.run(host="0.0.0.0", port=5000)
