# https.sh: the web service driver = http is tested and measured against
# (tests/integration/http.sh, bench/sources.sh): a test CA, nginx with its
# certificates proxying to data/http_users_app.py, a small application over
# an SQLite file of users that checks HTTP Basic Auth itself. Files go to
# $WORK; ACCOUNT and ACCOUNT_PW name the service account.
#
#   http_ca NAME               a CA: $WORK/NAME.pem and NAME.key
#   http_cert NAME HOST CA     a key and a certificate for HOST signed by CA
#   http_app_start DB PORT [OPTION]
#                              the application (APP_PID) on 127.0.0.1:PORT,
#                              its log in $WORK/app.log; `$APP init DB`
#                              makes DB's users first, or OPTION
#                              --tables=legacy reads lib/legacy.sh's tables
#   http_server PORT CERT      an nginx server block: HTTPS on PORT with
#                              CERT, proxying to the application on 8080
#   http_nginx_start BLOCKS    nginx (NGINX_PID) serving those blocks, its
#                              logs in $WORK/nginx
#   http_config MODE SOCKET [PORT [HOST [CA_FILE]]]
#                              the daemon's config (stdout), the password
#                              file $WORK/svc.secret
APP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/data/http_users_app.py

# http_cert NAME HOST CA: a key and a certificate for HOST signed by CA
http_cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$WORK/$1.key" -subj "/CN=$2" -out "$WORK/$1.csr" 2>/dev/null &&
	openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/$3.pem" -CAkey "$WORK/$3.key" \
		-CAcreateserial -days 2 -out "$WORK/$1.pem" \
		-extfile <(printf 'subjectAltName=DNS:%s\n' "$2") 2>/dev/null
}
http_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$WORK/$1.key" -out "$WORK/$1.pem" -days 2 -subj "/CN=$1" 2>/dev/null
}
http_app_start() {
	/usr/bin/python3 "$APP" ${3:+"$3"} "$1" "$2" "$ACCOUNT" "$ACCOUNT_PW" 2>"$WORK/app.log" &
	APP_PID=$!
}
http_server() {
	printf '  server { listen 127.0.0.1:%s ssl; server_name localhost;\n' "$1"
	printf '    ssl_certificate %s/%s.pem; ssl_certificate_key %s/%s.key;\n' "$WORK" "$2" "$WORK" "$2"
	printf '    location / { proxy_pass http://127.0.0.1:8080; proxy_read_timeout 120s; } }\n'
}
http_nginx_start() {
	mkdir -p "$WORK/nginx"
	cat > "$WORK/nginx.conf" <<X
user root;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 64; }
http {
  log_format conn '\$connection \$connection_requests \$request';
  access_log $WORK/nginx/access.log conn;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
$1
}
X
	nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx.conf" -g 'daemon off;' \
		2>>"$WORK/nginx/error.log" &
	NGINX_PID=$!
}
# http_config MODE SOCKET [PORT [HOST [CA_FILE]]]: the daemon's config (stdout)
http_config() {
	local ca=${5-$WORK/test-ca.pem}
	cat <<X
[customdb]
mode = $1
min_uid = 10000
max_uid = 60000
socket = $2
state_dir = $WORK/state-$1

[legacy]
driver = http
connection = https://$ACCOUNT@${4:-localhost}:${3:-8443}/api
password_file = $WORK/svc.secret
${ca:+ca_file = $ca}
connect_timeout = 2
query_timeout = 2

[store]
path = $WORK/state-$1/store.db

[queries]
login = GET /users/:username AUTH :username :password
get_user = GET /users/:username
get_user_by_uid = GET /uids/:uid
get_group = GET /groups/:group
get_group_by_gid = GET /gids/:gid
user_groups = GET /users/:username/groups
change_password = PUT /users/:username/password {"password": :password}
X
}
