-- wrk script: state_getStorage of Alice's System.Account over HTTP JSON-RPC.
-- Usage: wrk -t2 -c32 -d20s -s scripts/bench/get_storage.lua http://127.0.0.1:9944
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"id":1,"jsonrpc":"2.0","method":"state_getStorage","params":["0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"]}'
