# redmine_site.rb: a Redmine's users, made and checked by Redmine's own
# models (apps.sh), through `rails runner` in Redmine's tree:
#
#   redmine_site.rb setup      users, groups and states apps.sh expects
#   redmine_site.rb check      lines "LOGIN<TAB>PASSWORD<TAB>yes|no" on
#                              stdin: User.try_to_login (Redmine's login
#                              form) must accept (yes) or refuse (no) each;
#                              exit 0 when all are as said
if ARGV[0] == 'setup'
  def user(login, pw, first, last, status: User::STATUS_ACTIVE, must_change: false)
    u = User.new(firstname: first, lastname: last, mail: "#{login}@example.org")
    u.login = login
    u.password = u.password_confirmation = pw
    u.status = status
    u.must_change_passwd = must_change
    u.save!
    u
  end
  alice = user('alice', 'alice-pw-1', 'Alice', 'Liddell')
  bob = user('bob', 'bob-pw-12', 'Bob', 'Builder')
  user('carol', 'carol-pw-1', 'Carol', 'Locked', status: User::STATUS_LOCKED)
  user('dave', 'dave-pw-12', 'Dave', 'Newpass', must_change: true)
  team = Group.new(lastname: 'Dev Team')
  team.save!
  team.users << alice
  team.users << bob
  ops = Group.new(lastname: 'ops')
  ops.save!
  ops.users << alice
  puts 'Redmine users made'
elsif ARGV[0] == 'check'
  bad = 0
  STDIN.each_line do |l|
    login, pw, want = l.chomp.split("\t")
    got = User.try_to_login(login, pw) ? 'yes' : 'no'
    puts "Redmine User.try_to_login(#{login}): #{got == 'yes' ? 'accepted' : 'refused'}"
    bad += 1 if got != want
  end
  exit(bad.zero? ? 0 : 1)
end
