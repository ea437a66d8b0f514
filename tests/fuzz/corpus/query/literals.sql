SELECT 'it''s :uid', "a:b", `c` /* :gid */ -- :email
FROM t WHERE a = 'x\'y' AND b = :password_hash