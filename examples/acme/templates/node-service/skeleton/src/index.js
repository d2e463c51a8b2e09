import { createServer } from "node:http";

const port = Number(process.env.PORT ?? ${{ values.port }});

createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ service: "${{ values.name }}", ok: true }));
    return;
  }
  res.writeHead(404).end();
}).listen(port, () => console.log(`${{ values.name }} listening on ${port}`));
